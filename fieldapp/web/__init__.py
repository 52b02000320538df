"""Shared web plumbing: login-by-default, role guards, security headers, errors, rendering."""

from __future__ import annotations

from flask import Flask

from fieldapp.web import converters, errors, filters, guard, security


def init_web(app: Flask) -> None:
    """Hook the shared request handling onto `app`."""
    converters.init_app(app)  # before the blueprints' rules are added
    security.init_app(app)  # first: the request id exists before any guard answers
    guard.init_app(app)
    errors.init_app(app)
    filters.init_app(app)

    from fieldapp.domain.roles import ROLE_LABELS, areas_for

    @app.context_processor
    def _navigation() -> dict:
        return {"areas_for": areas_for, "role_labels": ROLE_LABELS, "area_labels": AREA_LABELS}


AREA_LABELS = {
    "cases": "Casos",
    "dispatch": "Despacho",
    "courier": "Mi ruta",
    "workshop": "Taller",
    "supervisor": "Supervisión",
    "stock": "Stock",
    "admin": "Administración",
}
