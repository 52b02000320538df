"""Error pages (and JSON errors for scripts) that say what happened and leak nothing."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, current_app, jsonify, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from fieldapp.transaction import discard
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
# The database did not answer (down, restarting, unreachable, or locked past the busy timeout).
DATABASE_UNAVAILABLE = (OperationalError, DisconnectionError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _render(code: int, message: str, error: str | None = None):
    if wants_json():
        return jsonify(error=error or str(code), message=message), code
    if code >= 500:
        # A page that needs neither the database nor the session: no context processors, since
        # flask-login's would load the user from a database that may be what failed.
        page = current_app.jinja_env.get_template("errors/plain.html")
        return page.render(code=code, message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def _http_error(exc: HTTPException):
    code = exc.code or 500
    body, code = _render(code, MESSAGES.get(code, exc.name))
    # Keep what the exception says about itself (a 405's Allow, a 429's Retry-After), not its
    # Content-Type: the body is ours.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, code, headers


def _csrf_error(_exc: CSRFError):
    return _render(400, CSRF_MESSAGE, error="csrf")


def _server_error(_exc: Exception):
    discard()  # before rendering: the page must not read a failed transaction
    return _render(500, MESSAGES[500])


def _database_unavailable(exc: Exception):
    """503 with Retry-After (the phone's queue and scripts retry); nothing of it is kept."""
    # The class only: the driver's message may quote the statement's parameters (personal data).
    current_app.logger.warning("Database unavailable (%s): answered 503", type(exc).__name__)
    with suppress(SQLAlchemyError):  # a dead connection has nothing left to roll back
        discard()
    body, code = _render(503, MESSAGES[503], error="service_unavailable")
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    """Register the handlers; 500s and 503s roll back the session so nothing half-written is
    kept."""
    app.register_error_handler(CSRFError, _csrf_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, _database_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
