"""marshmallow fields for the API, with Spanish messages and the input hygiene every field
needs (trimmed text, no control characters, dates in a sane range); no business rules."""

from __future__ import annotations

import re
from datetime import date, datetime

from marshmallow import fields, validate

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.models.types import FIRST_DATE, LAST_DATE

REQUIRED = "Campo obligatorio."
# Keys every field shares: a missing or null (or blank) required value says the same thing.
BASE_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "validator_failed": "Valor no válido."}
# C0/C1 controls (tab and newlines aside), lone surrogates and NUL: nothing a person types, and
# PostgreSQL or the UTF-8 encoder would refuse some of them with a server error.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Far enough for any real case, near enough that converting between zones cannot overflow.
RANGE_MESSAGE = "Fecha fuera de rango (1900–2100)."

# marshmallow's English messages, for any that a field below does not replace.
ENGLISH_TO_SPANISH = {
    "Missing data for required field.": REQUIRED,
    "Field may not be null.": REQUIRED,
    "Unknown field.": "Campo no reconocido.",
    "Invalid input type.": "Debe ser un objeto JSON.",
    "Invalid type.": "Debe ser un objeto JSON.",
    "Invalid value.": "Valor no válido.",
    "Not a valid string.": "Debe ser un texto.",
    "Not a valid integer.": "Debe ser un número entero.",
    "Not a valid date.": "Fecha no válida (AAAA-MM-DD).",
    "Not a valid datetime.": "Fecha y hora no válidas (ISO 8601).",
    "Not a valid email address.": "Correo electrónico no válido.",
}


def _trim(value):
    """Trim text; blank text counts as absent (null)."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class _BlankIsMissing(fields.Field):
    """Blank text, trimmed to None, in a field that does not allow null: say it is required."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            raise self.make_error("required")
        return super()._deserialize(value, attr, data, **kwargs)


class Text(_BlankIsMissing, fields.String):
    """Trimmed text of at most `max_length` characters; blank is absent."""

    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": "Debe ser un texto.",
        "invalid_utf8": "Debe ser un texto UTF-8.",
        "forbidden": "Contiene caracteres no permitidos.",
    }

    def __init__(self, max_length: int | None = None, **kwargs) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        validators = list(kwargs.pop("validate", None) or [])
        if max_length is not None:
            validators.append(validate.Length(max=max_length, error="Máximo {max} caracteres."))
        super().__init__(pre_load=[_trim], validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _FORBIDDEN.search(text):
            raise self.make_error("forbidden")
        return text


class Email(Text):
    """An optional e-mail address."""

    def __init__(self, **kwargs) -> None:
        error = "Correo electrónico no válido."
        super().__init__(max_length=254, validate=[validate.Email(error=error)], **kwargs)


class Choice(Text):
    """One of a fixed set of values."""

    def __init__(self, choices, **kwargs) -> None:
        values = [str(choice) for choice in choices]
        error = "Valor no permitido: use uno de {choices}."
        super().__init__(validate=[validate.OneOf(values, error=error)], **kwargs)


class Date(_BlankIsMissing, fields.Date):
    """An ISO 8601 calendar date (AAAA-MM-DD)."""

    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": "Fecha no válida (AAAA-MM-DD).",
        "range": RANGE_MESSAGE,
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(pre_load=[_trim], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DATE <= parsed <= LAST_DATE:
            raise self.make_error("range")
        return parsed


class DateTime(_BlankIsMissing, fields.DateTime):
    """An ISO 8601 date and time; without an offset it is Lima time."""

    default_error_messages = {
        **BASE_MESSAGES,
        "invalid": "Fecha y hora no válidas (ISO 8601, p. ej. 2025-03-01T10:30:00-05:00).",
        "range": RANGE_MESSAGE,
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(pre_load=[_trim], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=LIMA_TZ)
        if not FIRST_DATE <= parsed.date() <= LAST_DATE:
            raise self.make_error("range")
        return parsed


class Integer(_BlankIsMissing, fields.Integer):
    """A whole number between `low` and `high`."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "Debe ser un número entero."}

    def __init__(self, low: int, high: int, **kwargs) -> None:
        error = "Debe estar entre {min} y {max}."
        kwargs.setdefault("allow_none", True)
        super().__init__(
            pre_load=[_trim], validate=[validate.Range(low, high, error=error)], **kwargs
        )


class Coordinate(_BlankIsMissing, fields.Float):
    """A latitude or longitude in decimal degrees (WGS 84)."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "Debe ser un número (grados decimales)."}

    def __init__(self, limit: float, **kwargs) -> None:
        error = "Debe estar entre {min} y {max}."
        kwargs.setdefault("allow_none", True)
        super().__init__(validate=[validate.Range(-limit, limit, error=error)], **kwargs)


class Nested(fields.Nested):
    """A JSON object of the given schema."""

    default_error_messages = {**BASE_MESSAGES, "type": "Debe ser un objeto JSON."}

    def __init__(self, nested, **kwargs) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(nested, **kwargs)


class LimaDateTime(fields.DateTime):
    """Output only: an aware time written in America/Lima (ISO 8601 with `-05:00`)."""

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else value.astimezone(LIMA_TZ).isoformat()
