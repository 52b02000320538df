"""Case intake: every way a case comes in (API, counter form, CSV) ends here, under one set of
rules, so a case is either stored whole with its deadlines and audit event, or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldapp.domain import case_flow, service_number, warranty
from fieldapp.domain import stop_contact as contact
from fieldapp.domain.case_flow import Flow, Notice, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ, Deadline, case_deadlines, lima_date
from fieldapp.domain.geo import Gazetteer, Location, UnknownUbigeo, locate
from fieldapp.domain.warranty import CaseKind, ProgrammeRules
from fieldapp.extensions import db
from fieldapp.models import (
    ApiClient,
    Branch,
    Case,
    CaseDeadline,
    Customer,
    DistrictBandOverride,
    Programme,
    Store,
    Unit,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.accounts import branches
from fieldapp.services.cases import queries as case_queries
from fieldapp.services.cases import visits
from fieldapp.services.notifications import outbox

CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class IntakeError(ValueError):
    """Invalid input: `errors` maps each field (nested as `customer.ubigeo`) to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class DuplicateCase(ValueError):
    """The case number is taken, or the unit already has an open case."""

    def __init__(self, message: str, field: str, existing: Case | None = None):
        super().__init__(message)
        self.field = field
        self.existing = existing


@dataclass
class CustomerInput:
    """The customer as the Call Center gives it."""

    name: str
    phone: str | None = None
    email: str | None = None
    document_id: str | None = None
    address: str | None = None
    ubigeo: str | None = None
    # The address's point when the Call Center or the counter knows it.
    lat: float | None = None
    lon: float | None = None


@dataclass
class StoreInput:
    """The store, for cases whose call was made at a store."""

    name: str
    ubigeo: str
    address: str | None = None
    phone: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class CaseInput:
    """A case as it arrives, already typed (the API, form and CSV parse into this)."""

    case_number: str
    service_number: str
    purchase_date: date | None  # None only from a form that lacks it (assess reports it)
    customer: CustomerInput
    product_type: str = warranty.PRINTER
    model: str | None = None
    failure_date: date | None = None
    received_at: datetime | None = None
    origin: Origin = Origin.CALL_CENTER
    store: StoreInput | None = None
    proof_type: str | None = None
    proof_number: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class IntakeSettings:
    """The rules' parameters (programme and app settings)."""

    rules: ProgrammeRules
    origin_point: tuple[float, float]
    thresholds_km: tuple[float, ...]
    overrides: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """What the rules decide about a case before it is stored."""

    service_number: service_number.ServiceNumber
    kind: CaseKind
    flow: Flow
    status: Status
    location: Location
    received_at: datetime
    failure_date: date
    deadlines: list[Deadline]


def settings_for(programme: Programme, branch: Branch | None = None) -> IntakeSettings:
    """The intake settings of `programme` (its rules, from the database) with the geography
    settings: distances measured from `branch` (the app's ST counter setting without one)."""
    config = current_app.config
    overrides = {o.ubigeo: o.band for o in db.session.scalars(select(DistrictBandOverride))}
    return IntakeSettings(
        rules=ProgrammeRules(
            doa_days=programme.doa_days,
            warranty_months=programme.warranty_months,
            camera_centres=tuple(programme.referral_centres or config["CAMERA_CENTRES"]),
            number=programme.number_rules,
        ),
        origin_point=branch.point
        if branch is not None
        else (config["ST_COUNTER_LAT"], config["ST_COUNTER_LON"]),
        thresholds_km=tuple(config["BAND_THRESHOLDS_KM"]),
        overrides=overrides,
    )


def active_programmes() -> list[Programme]:
    """The programmes the ST serves now, by name."""
    return list(
        db.session.scalars(
            select(Programme).where(Programme.active.is_(True)).order_by(Programme.name)
        )
    )


def programme_for(code: str | None) -> Programme:
    """The active programme with `code`; without a code, the only active one.

    :raises LookupError: for an unknown code, no programme at all, or no code while several
        programmes are active (the caller must say which).
    """
    found = active_programmes()
    if code:
        for programme in found:
            if programme.code == code.strip():
                return programme
        raise LookupError(f"No hay un programa de garantía activo «{code.strip()}».")
    if not found:
        raise LookupError("No hay un programa de garantía activo configurado.")
    if len(found) > 1:
        raise LookupError("Indique el programa de garantía del caso.")
    return found[0]


def default_programme() -> Programme:
    """The only active programme (see `programme_for`).

    :raises LookupError: when there is none, or several.
    """
    return programme_for(None)


def assess(data: CaseInput, settings: IntakeSettings, now: datetime | None = None) -> Assessment:
    """Apply every intake rule of DOMAIN.md to `data`, collecting all field errors at once.

    :raises IntakeError: with every invalid field and its message.
    """
    now = now or utcnow()
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.case_number or not CASE_NUMBER.match(data.case_number.strip()):
        fail(
            "case_number",
            "Ingrese el número de caso del Call Center (letras, dígitos, «-», «_» o «.»).",
        )
    try:
        number = service_number.parse(data.service_number, settings.rules.number)
    except service_number.InvalidServiceNumber as exc:
        fail("service_number", str(exc))
        number = None
    try:
        warranty.check_product_type(data.product_type, settings.rules)
    except warranty.WarrantyError as exc:
        fail(exc.field, str(exc))

    received_at = data.received_at or now
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=LIMA_TZ)
    kind = None
    failure_date = data.failure_date
    dates = [("received_at", received_at), ("purchase_date", data.purchase_date)]
    dates.append(("failure_date", data.failure_date))
    out_of_range = [name for name, value in dates if value and not _in_range(value)]
    for name in out_of_range:
        fail(name, f"Fecha fuera de rango (años {EARLIEST_YEAR}–{LATEST_YEAR}).")
    if data.purchase_date is None:
        fail("purchase_date", "Ingrese la fecha de compra.")
    if not out_of_range and received_at > now:
        fail("received_at", "La fecha de recepción no puede estar en el futuro.")
    if not out_of_range and data.purchase_date is not None:
        failure_date = data.failure_date or lima_date(received_at)
        try:
            warranty.check_dates(data.purchase_date, failure_date, lima_date(now))
            kind = warranty.classify(data.purchase_date, failure_date, settings.rules)
        except warranty.WarrantyError as exc:
            fail(exc.field, str(exc))

    _check_texts(data, fail)
    if not (data.customer.name or "").strip():
        fail("customer.name", "Ingrese el nombre del cliente.")
    for prefix, party in (("customer", data.customer), ("store", data.store)):
        problem = contact.point_problem(party.lat, party.lon) if party is not None else None
        if problem:
            fail(f"{prefix}.lat", problem)
    if data.origin is Origin.STORE and data.store is None:
        fail("store", "Indique la tienda cuando el caso se registró en una tienda.")
    if data.store is not None:
        if not (data.store.name or "").strip():
            fail("store.name", "Ingrese el nombre de la tienda.")
        if data.origin is not Origin.STORE:
            _check_ubigeo("store.ubigeo", data.store.ubigeo, fail)
    place_field, place_ubigeo = _place(data)
    location = None
    if not place_ubigeo:
        fail(place_field, "Indique el distrito (UBIGEO).")
    else:
        try:
            location = locate(
                place_ubigeo,
                Gazetteer.default(),
                origin=settings.origin_point,
                thresholds_km=settings.thresholds_km,
                overrides=settings.overrides,
            )
        except UnknownUbigeo as exc:
            fail(place_field, str(exc))
    if data.customer.ubigeo and place_field != "customer.ubigeo":
        _check_ubigeo("customer.ubigeo", data.customer.ubigeo, fail)

    if errors or number is None or kind is None or location is None:
        raise IntakeError(errors)
    flow = case_flow.choose_flow(kind, location.zone, data.origin)
    unit_received_at = received_at if flow is Flow.WALK_IN else None
    return Assessment(
        service_number=number,
        kind=kind,
        flow=flow,
        status=case_flow.initial_status(flow),
        location=location,
        received_at=received_at,
        failure_date=failure_date,
        deadlines=case_deadlines(flow, location.zone, location.band, received_at, unit_received_at),
    )


def _place(data: CaseInput) -> tuple[str, str | None]:
    """The field naming the district the ST deals with: the store's, or the customer's."""
    if data.origin is Origin.STORE and data.store is not None:
        return "store.ubigeo", (data.store.ubigeo or "").strip()
    return "customer.ubigeo", (data.customer.ubigeo or "").strip()


def _in_range(value: date | datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def _check_ubigeo(name: str, ubigeo: str | None, fail) -> None:
    try:
        Gazetteer.default().require((ubigeo or "").strip())
    except UnknownUbigeo as exc:
        fail(name, str(exc))


# Free-text fields and the longest value their column holds.
_TEXT_LIMITS = {
    "model": 60,
    "proof_type": 16,
    "proof_number": 40,
    "notes": 2000,
    "customer.name": 160,
    "customer.phone": 32,
    "customer.email": 254,
    "customer.document_id": 20,
    "customer.address": 250,
    "store.name": 160,
    "store.address": 250,
    "store.phone": 32,
}


def _text_values(data: CaseInput) -> dict[str, str | None]:
    values = {
        "model": data.model,
        "proof_type": data.proof_type,
        "proof_number": data.proof_number,
        "notes": data.notes,
        **{f"customer.{k}": getattr(data.customer, k) for k in _CUSTOMER_TEXT},
    }
    if data.store is not None:
        values.update(
            {
                "store.name": data.store.name,
                "store.address": data.store.address,
                "store.phone": data.store.phone,
            }
        )
    return values


_CUSTOMER_TEXT = ("name", "phone", "email", "document_id", "address")


def _check_texts(data: CaseInput, fail) -> None:
    """Every text fits its column and carries no control characters (whichever way it came)."""
    for name, value in _text_values(data).items():
        if not value:
            continue
        if len(value.strip()) > _TEXT_LIMITS[name]:
            fail(name, f"Máximo {_TEXT_LIMITS[name]} caracteres.")
        allowed = "\n\t" if name == "notes" else ""
        if CONTROL_CHARS.search(value.translate({ord(c): None for c in allowed})):
            fail(name, "Contiene caracteres no válidos.")
    customer = data.customer
    if customer.email and not EMAIL.match(customer.email.strip()):
        fail("customer.email", "Correo electrónico no válido.")
    if customer.phone and not PHONE.match(customer.phone.strip()):
        fail("customer.phone", "Teléfono no válido.")


def open_case(
    data: CaseInput,
    actor: User | ApiClient | None,
    programme: Programme | None = None,
    now: datetime | None = None,
) -> Case:
    """Assess `data`, then store the case with unit, customer, store, deadlines and audit event.

    :raises IntakeError: for invalid input (nothing is stored).
    :raises DuplicateCase: when the case number is taken or the unit has an open case.
    """
    if programme is None:
        client_programme = actor.programme if isinstance(actor, ApiClient) else None
        programme = client_programme or default_programme()
    branch = branches.serving(_place(data)[1], actor)
    result = assess(data, settings_for(programme, branch), now)
    case_number = data.case_number.strip()
    existing = case_queries.find_by_number(case_number)
    if existing is not None:
        raise DuplicateCase(f"El caso {case_number} ya fue registrado.", "case_number", existing)
    unit = db.session.scalar(select(Unit).where(Unit.service_number == result.service_number.value))
    if unit is not None:
        open_one = db.session.scalar(
            select(Case).where(Case.unit_id == unit.id, Case.status.in_(case_flow.OPEN))
        )
        if open_one is not None:
            raise DuplicateCase(
                f"El equipo {unit.service_number} ya tiene un caso abierto "
                f"({open_one.case_number}).",
                "service_number",
                open_one,
            )
    try:
        with db.session.begin_nested():
            case = _store(data, result, unit, programme, actor, case_number)
            case.branch = branch
    except IntegrityError as exc:
        # Two requests raced past the checks above: the database's unique indexes decide.
        raise DuplicateCase(
            f"El caso {case_number} o el equipo {result.service_number.value} ya está registrado.",
            "case_number",
        ) from exc
    audit.record(
        "created",
        entity="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor,
        to_status=case.status.value,
        data={"flow": case.flow.value, "origin": case.origin.value},
    )
    outbox.queue(case, Notice.CASE_RECEIVED, at=case.received_at)
    if case.status is Status.IN_WORKSHOP:  # a walk-in's unit is already at the counter
        outbox.queue(case, Notice.UNIT_RECEIVED, at=case.unit_received_at)
    db.session.flush()
    visits.sync_for_case(case, now=case.received_at)
    return case


def _store(
    data: CaseInput,
    result: Assessment,
    unit: Unit | None,
    programme: Programme,
    actor: User | ApiClient | None,
    case_number: str,
) -> Case:
    number = result.service_number
    if unit is None:
        unit = Unit(service_number=number.value)
        db.session.add(unit)
    unit.model_family = number.family
    unit.service_number_flag = number.flag
    unit.model = (data.model or "").strip() or unit.model
    customer = Customer(
        name=data.customer.name.strip(),
        phone=_clean(data.customer.phone),
        email=_clean(data.customer.email),
        document_id=_clean(data.customer.document_id),
        address=_clean(data.customer.address),
        ubigeo=_clean(data.customer.ubigeo),
        lat=data.customer.lat,
        lon=data.customer.lon,
    )
    store = None
    if data.store is not None:
        store = Store(
            name=data.store.name.strip(),
            address=_clean(data.store.address),
            ubigeo=data.store.ubigeo.strip(),
            phone=_clean(data.store.phone),
            lat=data.store.lat,
            lon=data.store.lon,
        )
    location = result.location
    case = Case(
        case_number=case_number,
        programme=programme,
        unit=unit,
        customer=customer,
        store=store,
        origin=data.origin,
        kind=result.kind,
        flow=result.flow,
        status=result.status,
        ubigeo=location.district.ubigeo,
        zone=location.zone,
        distance_km=location.distance_km,
        distance_band=location.band,
        purchase_date=data.purchase_date,
        failure_date=result.failure_date,
        proof_type=_clean(data.proof_type),
        proof_number=_clean(data.proof_number),
        notes=_clean(data.notes),
        unit_model=unit.model,
        received_at=result.received_at,
        unit_received_at=result.received_at if result.flow is Flow.WALK_IN else None,
        created_by_user_id=actor.id if isinstance(actor, User) else None,
        created_by_api_client_id=actor.id if isinstance(actor, ApiClient) else None,
        deadlines=[
            CaseDeadline(name=d.name, starts_at=d.starts_at, due_at=d.due_at)
            for d in result.deadlines
        ],
    )
    db.session.add(case)
    db.session.flush()
    return case


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
