"""Service numbers: the per-unit number used for billing and warranty validation."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNUSUAL_PREFIX = "unusual_prefix"

FAMILIES: dict[str, str] = {"T": "ESP 3", "C": "ESP 5"}

_SHAPE = re.compile(r"[A-Z][0-9]{6}")
_STRIP = re.compile(r"[\s\-\u2010-\u2015]+")


class InvalidServiceNumber(ValueError):
    """The service number is empty or does not have the expected shape."""


@dataclass(frozen=True)
class ServiceNumber:
    """A normalised, validated service number."""

    value: str
    family: str | None
    flag: str | None


def normalise(raw: str) -> str:
    """Trim, remove all whitespace and dashes, and upper-case a raw service number."""
    return _STRIP.sub("", raw).upper()


def parse(raw: str | None) -> ServiceNumber:
    """Parse a raw service number into a ServiceNumber.

    :raises InvalidServiceNumber: if it is empty or not one letter followed by 6 digits.
    """
    value = normalise(raw or "")
    if not value:
        raise InvalidServiceNumber("Ingrese el número de servicio.")
    if not _SHAPE.fullmatch(value):
        raise InvalidServiceNumber(
            "El número de servicio debe tener una letra seguida de 6 dígitos (p. ej. T123456)."
        )
    family = FAMILIES.get(value[0])
    return ServiceNumber(value=value, family=family, flag=None if family else UNUSUAL_PREFIX)
