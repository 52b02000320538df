"""URL converters: an `<int:...>` argument is a database id, so it stops where an id column does;
a text argument holds no control characters (PostgreSQL refuses a NUL in a query: a 500)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

from fieldapp.models.types import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what an INTEGER id column holds: a bigger number is a 404, not a
    driver overflow (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """The default `<name>` / `<string:name>`: one path segment without control characters, so
    `/cases/%00` is a 404 rather than a driver error."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):  # noqa: A002
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)


def init_app(app: Flask) -> None:
    """Replace the `int` and text converters; runs before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
