"""The counter and store intake form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.intake_fields import EMAIL, PHONE


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


ORIGINS = [
    (Origin.ST_COUNTER.value, "Mostrador del ST (el cliente vino sin llamar)"),
    (Origin.STORE.value, "Tienda (la tienda llamó por el cliente)"),
    (Origin.CALL_CENTER.value, "Call Center"),
]
PRODUCT_TYPES = [("printer", "Impresora multifuncional"), ("camera", "Cámara")]
PROOF_TYPES = [("", "—"), ("boleta", "Boleta"), ("factura", "Factura")]
OPTIONAL_TEXT = [Optional(), Length(max=250)]


def _place_fields(label: str):
    """The district typed with suggestions, and the UBIGEO of the one picked (or resolved)."""
    return (
        StringField(f"Distrito ({label})", validators=[Optional(), Length(max=120)]),
        HiddenField(validators=[Optional(), Length(max=6)]),
    )


class CaseForm(FlaskForm):
    """A case registered at the ST counter or on behalf of a store; the rules live in intake."""

    programme = SelectField(
        "Programa de garantía",
        choices=[],
        validate_choice=False,  # intake.programme_for says which codes exist, in Spanish
        validators=[Optional()],
    )
    case_number = StringField(
        "Número de caso del Call Center",
        validators=[DataRequired("Ingrese el número de caso del Call Center."), Length(max=40)],
    )
    origin = SelectField("¿Dónde se generó el caso?", choices=choices(ORIGINS))
    service_number = StringField(
        "Número de servicio (service number)",
        validators=[DataRequired("Ingrese el número de servicio."), Length(max=20)],
    )
    product_type = SelectField("Producto", choices=choices(PRODUCT_TYPES))
    model = StringField("Modelo", validators=OPTIONAL_TEXT)
    purchase_date = DateField(
        "Fecha de compra", validators=[DataRequired("Ingrese la fecha de compra (dd/mm/aaaa).")]
    )
    failure_date = DateField("Fecha de la falla (si no es hoy)", validators=[Optional()])
    proof_type = SelectField("Comprobante", choices=choices(PROOF_TYPES), validators=[Optional()])
    proof_number = StringField("Número de comprobante", validators=[Optional(), Length(max=40)])

    customer_name = StringField(
        "Nombre del cliente",
        validators=[DataRequired("Ingrese el nombre del cliente."), Length(max=160)],
    )
    customer_phone = StringField(
        "Teléfono",
        validators=[
            DataRequired("Ingrese un teléfono de contacto."),
            Regexp(PHONE, message="Teléfono no válido."),
        ],
    )
    customer_email = StringField(
        "Correo electrónico",
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL, message="Correo electrónico no válido."),
        ],
    )
    customer_document_id = StringField(
        "DNI / CE",
        validators=[
            Optional(),
            Regexp(r"^[0-9A-Za-z]{8,12}$", message="DNI (8 dígitos) o CE no válido."),
        ],
    )
    customer_address = StringField("Dirección", validators=OPTIONAL_TEXT)
    customer_place, customer_district = _place_fields("cliente")

    store_name = StringField("Tienda", validators=[Optional(), Length(max=160)])
    store_address = StringField("Dirección de la tienda", validators=OPTIONAL_TEXT)
    store_place, store_district = _place_fields("tienda")

    notes = TextAreaField("Observaciones", validators=[Optional(), Length(max=2000)])

    # Intake rule fields whose message shows on a field not named like them (`customer.phone`
    # shows on customer_phone).
    FIELD_FOR = {
        "customer.ubigeo": "customer_place",
        "store": "store_name",
        "store.ubigeo": "store_place",
        "ubigeo": "customer_place",
    }

    def field_for(self, name: str):
        """The form field where intake's message about `name` is shown (None if not here)."""
        return getattr(self, self.FIELD_FOR.get(name, name.replace(".", "_")), None)
