"""Error pages (and JSON errors for scripts) that say what happened and leak nothing."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fieldapp.extensions import db
from fieldapp.web.guard import wants_json

MESSAGES = {
    400: "La solicitud no es válida.",
    403: "No tiene permiso para ver esta página.",
    404: "La página que busca no existe.",
    405: "Método no permitido.",
    413: "El archivo es demasiado grande.",
    429: "Demasiados intentos. Espere unos minutos e inténtelo de nuevo.",
    500: "Ocurrió un error inesperado. Ya quedó registrado; inténtelo de nuevo.",
    503: "El servicio no está disponible por un momento. Inténtelo de nuevo.",
}
CSRF_MESSAGE = "El formulario expiró o no es válido. Recargue la página e inténtelo de nuevo."


def _render(code: int, message: str, error: str | None = None):
    if wants_json():
        return jsonify(error=error or str(code), message=message), code
    # Server errors get a page that needs neither the database nor the session.
    template = "errors/plain.html" if code >= 500 else "errors/error.html"
    return render_template(template, code=code, message=message), code


def _http_error(exc: HTTPException):
    code = exc.code or 500
    return _render(code, MESSAGES.get(code, exc.name))


def _csrf_error(_exc: CSRFError):
    return _render(400, CSRF_MESSAGE, error="csrf")


def _server_error(_exc: Exception):
    db.session.rollback()
    return _render(500, MESSAGES[500])


def init_app(app: Flask) -> None:
    """Register the handlers; 500s roll back the session so nothing half-written is kept."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
