"""Request and response schemas of the Call Center API. They check shape and types only: every
business rule (service number, dates, warranty, geography, duplicates) is intake's."""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from fieldapp.api.fields import (
    Choice,
    Coordinate,
    Date,
    DateTime,
    Email,
    Integer,
    LimaDateTime,
    Nested,
    Text,
)
from fieldapp.domain import warranty
from fieldapp.domain.case_flow import Origin, Status
from fieldapp.services.cases import intake

PROOF_TYPES = ("boleta", "factura")
# The shape of a district code; whether the district exists is intake's to say.
UBIGEO = validate.Regexp(
    r"^[0-9]{6}$", error="El código UBIGEO debe tener 6 dígitos (p. ej. 150101)."
)
MAX_PER_PAGE = 100


class ApiSchema(Schema):
    """Base of the request schemas: Spanish messages; unknown fields are refused."""

    error_messages = {"type": "Debe ser un objeto JSON.", "unknown": "Campo no reconocido."}


class CustomerIn(ApiSchema):
    """The customer as the Call Center registered them."""

    name = Text(160, required=True)
    phone = Text(32, required=True)
    email = Email()
    document_id = Text(20)
    address = Text(250, required=True)
    ubigeo = Text(
        required=True, validate=[UBIGEO], metadata={"description": "UBIGEO del distrito (INEI)."}
    )
    lat = Coordinate(90, metadata={"description": "Latitud del domicilio, si se conoce."})
    lon = Coordinate(180, metadata={"description": "Longitud del domicilio, si se conoce."})


class StoreIn(ApiSchema):
    """The store where the call was made (origin `store`)."""

    name = Text(160, required=True)
    address = Text(250, required=True)
    ubigeo = Text(
        required=True, validate=[UBIGEO], metadata={"description": "Decide zona y distancia."}
    )
    phone = Text(32, metadata={"description": "Teléfono de la tienda, para el courier."})
    lat = Coordinate(90, metadata={"description": "Latitud de la tienda, si se conoce."})
    lon = Coordinate(180, metadata={"description": "Longitud de la tienda, si se conoce."})


class ProofIn(ApiSchema):
    """The proof of purchase (boleta or factura)."""

    type = Choice(PROOF_TYPES, required=True)
    number = Text(40, required=True)


class CaseIn(ApiSchema):
    """A new case from the Call Center; loads into `intake.CaseInput`."""

    case_number = Text(40, required=True)
    service_number = Text(20, required=True, metadata={"description": "Letra + 6 dígitos."})
    product_type = Choice((warranty.PRINTER, warranty.CAMERA), load_default=warranty.PRINTER)
    model = Text(60)
    purchase_date = Date(required=True)
    failure_date = Date(metadata={"description": "Por defecto, la fecha de recepción."})
    received_at = DateTime(
        metadata={"description": "Cuándo el Case Admin avisó al ST; sin zona = hora de Lima."}
    )
    origin = Choice([origin.value for origin in Origin], load_default=Origin.CALL_CENTER.value)
    store = Nested(StoreIn, metadata={"description": "Obligatoria si origin es `store`."})
    customer = Nested(CustomerIn, required=True)
    proof_of_purchase = Nested(ProofIn)

    @post_load
    def _to_case_input(self, data: dict, **_kwargs) -> intake.CaseInput:
        """Build the typed input intake expects."""
        store, proof = data.get("store"), data.get("proof_of_purchase") or {}
        return intake.CaseInput(
            case_number=data["case_number"],
            service_number=data["service_number"],
            purchase_date=data["purchase_date"],
            customer=intake.CustomerInput(**data["customer"]),
            product_type=data.get("product_type") or warranty.PRINTER,
            model=data.get("model"),
            failure_date=data.get("failure_date"),
            received_at=data.get("received_at"),
            origin=Origin(data.get("origin") or Origin.CALL_CENTER),
            store=intake.StoreInput(**store) if store else None,
            proof_type=proof.get("type"),
            proof_number=proof.get("number"),
        )


class CaseListQuery(ApiSchema):
    """Filters and paging of the case list (the Call Center's sync)."""

    status = Choice([status.value for status in Status])
    updated_since = DateTime(metadata={"description": "Casos cambiados desde (inclusive)."})
    page = Integer(1, 1_000_000, load_default=1)
    per_page = Integer(1, MAX_PER_PAGE, load_default=20)

    @post_load
    def _defaults(self, data: dict, **_kwargs) -> dict:
        """An empty `page` or `per_page` means the default."""
        return {**data, "page": data.get("page") or 1, "per_page": data.get("per_page") or 20}


class DeadlineOut(Schema):
    """A deadline of the case."""

    name = fields.String(metadata={"description": "swap, pickup, repair o return."})
    due_at = LimaDateTime()


class CaseOut(Schema):
    """A stored case as the Call Center sees it (no personal data)."""

    case_number = fields.String()
    programme = fields.String(
        attribute="programme.code", metadata={"description": "Programa de garantía del caso."}
    )
    service_number = fields.String(attribute="unit.service_number")
    model_family = fields.String(attribute="unit.model_family", allow_none=True)
    service_number_flag = fields.String(attribute="unit.service_number_flag", allow_none=True)
    model = fields.String(attribute="unit.model", allow_none=True)
    origin = fields.String()
    kind = fields.String(metadata={"description": "doa o warranty."})
    zone = fields.String(metadata={"description": "lima o provinces."})
    distance_km = fields.Float(allow_none=True)
    distance_band = fields.Integer(allow_none=True, metadata={"description": "1, 2, 3; Lima: null"})
    flow = fields.String()
    status = fields.String()
    purchase_date = fields.Date()
    failure_date = fields.Date()
    received_at = LimaDateTime()
    created_at = LimaDateTime()
    updated_at = LimaDateTime()
    deadlines = fields.List(fields.Nested(DeadlineOut))


class TimelineEventOut(Schema):
    """One audit event of the case: what happened, when, and which role did it."""

    at = LimaDateTime()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    # The role (or «Call Center»), never the person's name.
    actor = fields.String(attribute="actor_role", metadata={"description": "Rol, o «Call Center»."})


class CaseDetailOut(CaseOut):
    """A case with its timeline, oldest event first."""

    timeline = fields.List(fields.Nested(TimelineEventOut))


class CaseListOut(Schema):
    """A page of cases, ordered by last change."""

    items = fields.List(fields.Nested(CaseOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    next_page = fields.Integer(allow_none=True)


class ErrorOut(Schema):
    """An error: field messages (400, 409, 422) or a single message (401, 404, …)."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Campo (anidado como `customer.ubigeo`) → mensajes."},
    )
    existing_case = fields.String(metadata={"description": "409: el caso que ya existe."})
    error = fields.String()
    message = fields.String()
