"""Page-or-fragment rendering for htmx views."""

from __future__ import annotations

from flask import render_template

from fieldapp.extensions import htmx


def render(page: str, fragment: str, **context) -> str:
    """The fragment for an htmx request (not boosted navigation), else the whole page."""
    if htmx and not htmx.boosted:
        return render_template(fragment, **context)
    return render_template(page, **context)
