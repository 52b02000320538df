"""Service numbers: the per-unit number used for billing and warranty validation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

UNUSUAL_PREFIX = "unusual_prefix"

FAMILIES: dict[str, str] = {"T": "ESP 3", "C": "ESP 5"}

# What normalising removes: whitespace, the ASCII hyphen and the Unicode dashes U+2010–U+2015
# (hyphen, non-breaking hyphen, figure, en and em dash, bar) that phones and labels produce.
# Written so that Python and the browser's RegExp read it alike: the phone gets it from the page
# (`browser_rule`), never from a copy.
STRIP_PATTERN = r"[\s\-\u2010-\u2015]+"
_STRIP = re.compile(STRIP_PATTERN)


@dataclass(frozen=True)
class NumberRules:
    """A programme's service-number format: the shape (a regular expression on the normalised
    number), an example for messages, and the model family of each prefix."""

    pattern: str = r"[A-Z][0-9]{6}"
    example: str = "T123456"
    families: dict[str, str] = field(default_factory=lambda: dict(FAMILIES))

    def family_of(self, value: str) -> str | None:
        """The model family of the longest prefix of `value` that has one."""
        for prefix in sorted(self.families, key=len, reverse=True):
            if value.startswith(prefix):
                return self.families[prefix]
        return None


KODAK = NumberRules()


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


def parse(raw: str | None, rules: NumberRules = KODAK) -> ServiceNumber:
    """Parse a raw service number by a programme's `rules` (Kodak's by default).

    :raises InvalidServiceNumber: if it is empty or does not have the programme's shape.
    """
    value = normalise(raw or "")
    if not value:
        raise InvalidServiceNumber("Ingrese el número de servicio.")
    if not re.fullmatch(rules.pattern, value):
        raise InvalidServiceNumber(shape_message(rules))
    family = rules.family_of(value)
    return ServiceNumber(value=value, family=family, flag=None if family else UNUSUAL_PREFIX)


def shape_message(rules: NumberRules = KODAK) -> str:
    """What to tell someone whose number does not have the programme's shape (Spanish)."""
    if rules == KODAK:
        message = "El número de servicio debe tener una letra seguida de 6 dígitos"
    else:
        message = "El número de servicio no tiene el formato de este programa"
    return f"{message} (p. ej. {rules.example})."


def browser_rule(rules: NumberRules = KODAK) -> dict[str, str]:
    """The rule as the phone applies it before queueing a number: what to strip (then
    upper-case), the shape to match in full, and the message; rendered into the page."""
    return {"strip": STRIP_PATTERN, "pattern": rules.pattern, "message": shape_message(rules)}


def valid_pattern(pattern: str) -> bool:
    """Whether `pattern` is a usable regular expression for service numbers."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return bool(pattern)
