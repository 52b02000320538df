"""Spanish wording rules shared by pages, messages and documents: counts with the right plural."""

from __future__ import annotations


def count(n: int, one: str, many: str) -> str:
    """`n` with the singular or plural noun: "1 parada", "0 paradas", "3 hechas"."""
    return f"{n} {one if n == 1 else many}"


def load(units_out: int, units_in: int) -> str:
    """What a stop moves, in words: "entrega 1 equipo · recoge 1 equipo" (empty when nothing)."""
    parts = []
    if units_out:
        parts.append(f"entrega {count(units_out, 'equipo', 'equipos')}")
    if units_in:
        parts.append(f"recoge {count(units_in, 'equipo', 'equipos')}")
    return " · ".join(parts)
