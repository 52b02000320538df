"""Dispatch forms: sending a job by agency, a shipment's next state, the ST's reception check."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from fieldapp.cases.forms import choices
from fieldapp.domain.attachments import AttachmentPurpose as P
from fieldapp.domain.attachments import photo_phrase
from fieldapp.domain.shipments import SHIPMENT_STATUS_LABELS, ShipmentStatus

WAYBILL = [
    Optional(),
    Length(max=40),
    Regexp(r"^[A-Za-z0-9 /-]*$", message="Solo letras, números, guiones y barras."),
]
PHOTO = [Optional(), FileAllowed(["jpg", "jpeg", "png", "webp"], "Suba una foto JPEG, PNG o WEBP.")]
SERVICE_NUMBER = [Optional(), Length(max=20)]


def two_decimals(_form, field) -> None:
    """Soles and céntimos: at most two decimals (the column keeps two; no silent rounding)."""
    data = field.data
    if data is not None and data.is_finite() and data.as_tuple().exponent < -2:
        raise ValidationError("Como máximo 2 decimales (céntimos).")


MONEY = [
    Optional(),
    NumberRange(0, 10_000, "Entre S/ 0 y S/ 10 000."),
    two_decimals,
]


class MoneyField(DecimalField):
    """A cost in soles: the value as typed (a comma as decimal mark too), a Spanish message for
    anything that is not a number."""

    def process_formdata(self, valuelist) -> None:
        """Read "12,50" as 12.50; refuse text with the Spanish message."""
        if valuelist and valuelist[0] not in ("", None):
            valuelist = [str(valuelist[0]).strip().replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Escriba un monto, por ejemplo 45.50.") from None


def _photo_field(purpose: P) -> str:
    """A photo field's label: the photo's one name, capitalised ("Foto del comprobante …")."""
    phrase = photo_phrase(purpose)
    return phrase[0].upper() + phrase[1:]


class BookingForm(FlaskForm):
    """Send a job by agency: carrier, branch, units, cost and the waybills known now."""

    carrier = SelectField(
        "Agencia", validators=[DataRequired("Elija una agencia.")], validate_choice=False
    )
    agency_branch = StringField(
        "Agencia de destino (sucursal) o recojo a domicilio",
        validators=[DataRequired("Indique la sucursal de la agencia."), Length(max=160)],
    )
    declared_units = IntegerField(
        "Bultos declarados",
        default=1,
        validators=[
            InputRequired("Indique los bultos declarados."),
            NumberRange(1, 20, "Entre 1 y 20 bultos."),
        ],
    )
    cost = MoneyField("Costo (S/)", places=2, validators=MONEY)
    # A job with two legs (a swap): the second leg's own cost (the unit back to the ST).
    return_cost = MoneyField("Costo del retorno al ST (S/)", places=2, validators=MONEY)
    waybill_to_customer = StringField("N.º de guía del envío al cliente", validators=WAYBILL)
    waybill_to_st = StringField("N.º de guía del retorno al ST", validators=WAYBILL)

    def validate_carrier(self, field) -> None:
        """Only an agency of the configured list (the message in Spanish, not WTForms')."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError("Elija una agencia de la lista.")


class MoveForm(FlaskForm):
    """A shipment's next state, with the waybill and what the agency gave back."""

    status = SelectField("Nuevo estado", validators=[DataRequired("Elija el nuevo estado.")])
    waybill = StringField("N.º de guía", validators=WAYBILL)
    waybill_photo = FileField("Foto de la guía", validators=PHOTO)
    receiver_signature = FileField(
        "Firma de quien recibió (foto, si la agencia la devuelve)", validators=PHOTO
    )
    receiver_name = StringField("Recibió (nombre)", validators=[Optional(), Length(max=160)])
    receiver_document_id = StringField(
        "DNI de quien recibió",
        validators=[Optional(), Regexp(r"^\d{8,12}$", message="El DNI tiene 8 dígitos.")],
    )

    def set_choices(self, current: ShipmentStatus, allowed) -> None:
        """Offer only the states that may follow `current`."""
        self.status.choices = choices(
            (status.value, SHIPMENT_STATUS_LABELS[status]) for status in allowed
        )


class ReceptionForm(FlaskForm):
    """The ST's check when the journey ended, and closing the job."""

    checked_service_number = StringField(
        "N.º de servicio verificado (equipo del caso)", validators=SERVICE_NUMBER
    )
    replacement_service_number = StringField(
        "N.º de servicio del equipo nuevo enviado", validators=SERVICE_NUMBER
    )
    refilled = RadioField(
        "¿Cartuchos rellenados?",
        choices=choices([("no", "No"), ("yes", "Sí (anula la garantía)")]),
        validators=[Optional()],
    )
    # One field per purpose of RECEPTION_PHOTOS, named after it.
    proof_of_purchase = FileField(_photo_field(P.PROOF_OF_PURCHASE), validators=PHOTO)
    unit_condition = FileField(_photo_field(P.UNIT_CONDITION), validators=PHOTO)
    store_voucher = FileField(_photo_field(P.STORE_VOUCHER), validators=PHOTO)
