"""Programme and branch settings as the admin types them: model families one per line
("T = ESP 3"), lists one item per line, a point as latitude and longitude in Peru."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Peru's extent with a margin (Tumbes to Tacna, the coast to the Amazon border).
PERU_LAT = (-18.5, 0.1)
PERU_LON = (-81.5, -68.5)
CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


class SettingsError(ValueError):
    """A setting typed in a form that cannot be used (message in Spanish)."""


def parse_families(text: str | None) -> dict[str, str]:
    """Model families from lines "PREFIX = Family" (prefixes upper-cased, blank lines ignored).

    :raises SettingsError: for a line without "=", an empty side, or a prefix given twice.
    """
    families: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        prefix, sep, family = line.partition("=")
        prefix, family = prefix.strip().upper(), family.strip()
        if not sep or not prefix or not family:
            raise SettingsError(f"Línea {number}: escriba «prefijo = familia», p. ej. «T = ESP 3».")
        if not prefix.isalnum():
            raise SettingsError(f"Línea {number}: el prefijo solo puede tener letras y dígitos.")
        if prefix in families:
            raise SettingsError(f"Línea {number}: el prefijo {prefix} ya está en otra línea.")
        families[prefix] = family
    return families


def format_families(families: Mapping[str, str] | None) -> str:
    """Model families as the form shows them, one "PREFIX = Family" a line."""
    return "\n".join(f"{prefix} = {family}" for prefix, family in (families or {}).items())


def parse_lines(text: str | None) -> list[str]:
    """The non-blank lines of `text`, trimmed, each once, in order."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        item = line.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def check_point(lat: float, lon: float) -> tuple[float, float]:
    """A point given by hand, if it lies in Peru.

    :raises SettingsError: when it is outside Peru (swapped or unsigned coordinates, typically).
    """
    if not (PERU_LAT[0] <= lat <= PERU_LAT[1] and PERU_LON[0] <= lon <= PERU_LON[1]):
        raise SettingsError(
            "El punto no está en el Perú: la latitud va de -18,5 a 0,1 y la longitud de -81,5 "
            "a -68,5 (ambas negativas)."
        )
    return (lat, lon)


def check_code(code: str) -> str:
    """A programme or branch code: lower-case letters, digits and dashes, up to 32.

    :raises SettingsError: for anything else.
    """
    value = (code or "").strip()
    if not CODE.fullmatch(value):
        raise SettingsError(
            "Use solo minúsculas, dígitos y guiones (hasta 32), p. ej. «epson-ecotank»."
        )
    return value
