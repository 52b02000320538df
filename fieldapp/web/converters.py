"""URL converters: an `<int:...>` argument is a database id, so it stops where an id column does."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from fieldapp.models.types import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what an INTEGER id column holds: a bigger number is a 404, not a
    driver overflow (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Replace the `int` converter; runs before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
