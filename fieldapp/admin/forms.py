"""Admin forms: a warranty programme's settings and a branch (counter) of the ST."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from fieldapp.domain import settings_text
from fieldapp.domain.intake_fields import EMAIL
from fieldapp.domain.service_number import normalise, valid_pattern


class WholeNumberField(IntegerField):
    """An integer field whose parse error is in Spanish."""

    def process_formdata(self, valuelist):
        """Parse the number; a non-number says so in Spanish."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Escriba un número entero.") from error


class DecimalNumberField(FloatField):
    """A decimal field that takes a comma or a point, and whose parse error is in Spanish."""

    def process_formdata(self, valuelist):
        """Parse the number (a decimal comma becomes a point)."""
        valuelist = [value.replace(",", ".").strip() for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Escriba un número, p. ej. -12,0977.") from error


def _code(form, field) -> None:
    try:
        field.data = settings_text.check_code(field.data)
    except settings_text.SettingsError as error:
        raise ValidationError(str(error)) from error


class ProgrammeForm(FlaskForm):
    """A warranty programme: identity, warranty terms, service numbers, referrals, contact."""

    name = StringField(
        "Nombre del programa",
        validators=[DataRequired("Ingrese el nombre del programa."), Length(max=120)],
    )
    brand = StringField("Marca", validators=[DataRequired("Ingrese la marca."), Length(max=60)])
    code = StringField(
        "Código", validators=[DataRequired("Ingrese el código del programa."), _code]
    )
    doa_days = WholeNumberField(
        "Días DOA",
        validators=[
            InputRequired("Indique los días DOA."),
            NumberRange(0, 365, "Los días DOA van de 0 a 365 (no pueden ser negativos)."),
        ],
    )
    warranty_months = WholeNumberField(
        "Meses de garantía",
        validators=[
            InputRequired("Indique los meses de garantía."),
            NumberRange(0, 120, "Los meses de garantía van de 0 a 120 (no pueden ser negativos)."),
        ],
    )
    service_number_pattern = StringField(
        "Formato del n.º de servicio (expresión regular)",
        validators=[DataRequired("Indique el formato del número de servicio."), Length(max=120)],
    )
    service_number_example = StringField(
        "Ejemplo de n.º de servicio",
        validators=[DataRequired("Indique un número de servicio de ejemplo."), Length(max=20)],
    )
    model_families = TextAreaField(
        "Familias de modelos (una por línea: prefijo = familia)",
        validators=[Length(max=2000)],
    )
    referral_centres = TextAreaField(
        "Centros de derivación (uno por línea; vacío: los de la aplicación)",
        validators=[Length(max=2000)],
    )
    case_admin_email = StringField(
        "Correo del administrador de casos",
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL, message="Correo electrónico no válido."),
        ],
    )
    active = BooleanField("Activo", default=True)

    def validate_service_number_pattern(self, field) -> None:
        """A pattern that compiles (the intake matches every service number against it)."""
        if field.data and not valid_pattern(field.data):
            raise ValidationError(
                "No es una expresión regular válida, p. ej. [A-Z][0-9]{6} (una letra y 6 dígitos)."
            )

    def validate_service_number_example(self, field) -> None:
        """The example shown to the clerk must itself be a valid number of the programme."""
        pattern = self.service_number_pattern.data or ""
        if (
            field.data
            and valid_pattern(pattern)
            and not re.fullmatch(pattern, normalise(field.data))
        ):
            raise ValidationError("El ejemplo no cumple el formato del número de servicio.")

    def validate_model_families(self, field) -> None:
        """Lines "PREFIX = Family"."""
        try:
            settings_text.parse_families(field.data)
        except settings_text.SettingsError as error:
            raise ValidationError(str(error)) from error


class BranchForm(FlaskForm):
    """A branch: code, name, address, district, and its point (the district's, or by hand)."""

    code = StringField("Código", validators=[DataRequired("Ingrese el código de la sede."), _code])
    name = StringField(
        "Nombre", validators=[DataRequired("Ingrese el nombre de la sede."), Length(max=120)]
    )
    address = StringField(
        "Dirección", validators=[DataRequired("Ingrese la dirección."), Length(max=250)]
    )
    ubigeo = StringField(
        "UBIGEO del distrito",
        validators=[
            DataRequired("Ingrese el UBIGEO del distrito."),
            Regexp(r"^\s*\d{6}\s*$", message="El UBIGEO tiene 6 dígitos, p. ej. 150131."),
        ],
    )
    lat = DecimalNumberField("Latitud (opcional)", validators=[Optional()])
    lon = DecimalNumberField("Longitud (opcional)", validators=[Optional()])
    active = BooleanField("Activa", default=True)

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the point: both coordinates or neither (then the district's point
        is used), inside Peru."""
        valid = super().validate(extra_validators)
        if self.lat.errors or self.lon.errors:
            return valid
        lat, lon = self.lat.data, self.lon.data
        if (lat is None) != (lon is None):
            self.lon.errors = [
                "Indique latitud y longitud juntas, o ninguna (se usa el punto del distrito)."
            ]
            return False
        if lat is not None:
            try:
                settings_text.check_point(lat, lon)
            except settings_text.SettingsError as error:
                self.lon.errors = [str(error)]
                return False
        return valid
