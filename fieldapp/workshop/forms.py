"""Workshop forms: reception, diagnosis, notes, parts, exchange and collection."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fieldapp.cases.forms import choices


class ReceptionForm(FlaskForm):
    """Receive a unit at the counter or from the provinces."""

    query = StringField(
        "N.º de caso o N.º de servicio",
        validators=[
            DataRequired("Ingrese el número de caso o el número de servicio."),
            Length(max=40),
        ],
    )
    refilled = RadioField(
        "¿Trae cartuchos rellenados?",
        choices=choices([("no", "No, cartuchos originales"), ("yes", "Sí: se anula la garantía")]),
        validators=[DataRequired("Indique si los cartuchos están rellenados.")],
    )
    accessories = StringField("Accesorios recibidos", validators=[Optional(), Length(max=250)])
    condition = StringField("Estado del equipo", validators=[Optional(), Length(max=250)])


class DiagnosisForm(FlaskForm):
    """The technician's diagnosis."""

    diagnosis = TextAreaField(
        "Diagnóstico", validators=[DataRequired("Escriba el diagnóstico."), Length(max=2000)]
    )


class NoteForm(FlaskForm):
    """A repair note."""

    text = TextAreaField("Nota", validators=[DataRequired("Escriba la nota."), Length(max=2000)])


class PartForm(FlaskForm):
    """Use a part from a DOA donor unit."""

    part = SelectField(
        "Repuesto de equipo DOA",
        coerce=int,
        validate_choice=False,
        validators=[DataRequired("Elija un repuesto.")],
    )


class DoneForm(FlaskForm):
    """Mark the repair done."""


class ExchangeForm(FlaskForm):
    """The unit cannot be repaired: swap it for an exchange unit."""

    reason = TextAreaField(
        "¿Por qué no se puede reparar?",
        validators=[DataRequired("Indique por qué no se puede reparar."), Length(max=500)],
    )


class CollectForm(FlaskForm):
    """The customer collects the unit at the counter."""

    signer_name = StringField(
        "Nombre de quien recoge",
        validators=[DataRequired("Ingrese el nombre de quien recoge."), Length(max=160)],
    )
    signer_document_id = StringField(
        "DNI de quien recoge",
        validators=[
            DataRequired("Ingrese el DNI de quien recoge."),
            Regexp(
                r"^\d{8}$|^[A-Za-z0-9]{9,12}$", message="El DNI tiene 8 dígitos (o CE de 9 a 12)."
            ),
        ],
    )
    # The drawing from the signature pad (a data: URL written by static/js/signature.js).
    signature = HiddenField("Firma de quien recoge")
