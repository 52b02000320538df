"""Stock forms: receive from Kodak, reserve, collect a DOA unit, donor parts, credit at sale."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fieldapp.cases.forms import choices

SERVICE_NUMBER = [DataRequired("Ingrese el número de servicio."), Length(max=20)]
CASE_NUMBER = [DataRequired("Ingrese el número de caso."), Length(max=40)]


class ReceiveForm(FlaskForm):
    """A unit received from a programme's manufacturer."""

    programme = SelectField("Programa", choices=[], validate_choice=False, validators=[Optional()])

    service_number = StringField("N.º de servicio", validators=SERVICE_NUMBER)
    model = StringField("Modelo", validators=[DataRequired("Ingrese el modelo."), Length(max=60)])
    category = SelectField(
        "Tipo",
        choices=choices(
            [("new", "Nuevo (para cambios DOA)"), ("exchange", "Intercambio (garantía)")]
        ),
    )


class CaseNumberForm(FlaskForm):
    """A case named by its number (reserve a unit for its visit, collect its DOA unit)."""

    case_number = StringField("N.º de caso", validators=CASE_NUMBER)


class DonorForm(FlaskForm):
    """Turn a collected DOA unit into a parts donor."""

    parts = TextAreaField(
        "Repuestos utilizables (uno por línea)",
        validators=[DataRequired("Indique al menos un repuesto utilizable."), Length(max=1000)],
    )


class UnitActionForm(FlaskForm):
    """Return a unit to Kodak or release its reservation."""

    note = StringField("Nota", validators=[Optional(), Length(max=250)])


class CreditForm(FlaskForm):
    """A unit that failed at the moment of sale, credited to the store."""

    store_name = StringField(
        "Tienda", validators=[DataRequired("Ingrese la tienda."), Length(max=160)]
    )
    store_ubigeo = StringField(
        "UBIGEO del distrito de la tienda",
        validators=[
            DataRequired("Ingrese el UBIGEO."),
            Regexp(r"^\d{6}$", message="El UBIGEO tiene 6 dígitos."),
        ],
    )
    service_number = StringField("N.º de servicio", validators=SERVICE_NUMBER)
    model = StringField("Modelo", validators=[Optional(), Length(max=60)])
    note = StringField("Detalle", validators=[Optional(), Length(max=250)])
