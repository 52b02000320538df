"""The API's errors, always JSON: 400 for a body that is not a JSON object, 422 with every
invalid field (nested as `customer.ubigeo`, in Spanish), 409 for duplicates, and the rest as
`{"error", "message"}`. Registered on the API blueprint only; pages keep web/errors.py."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from fieldapp.api.fields import ENGLISH_TO_SPANISH
from fieldapp.services.cases import intake
from fieldapp.web.errors import MESSAGES

BODY_MESSAGE = "El cuerpo de la solicitud debe ser un objeto JSON (Content-Type: application/json)."
BODY_FIELD = "body"
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def bad_body():
    """The 400 answer to a body that is not a JSON object."""
    return jsonify(errors={BODY_FIELD: [BODY_MESSAGE]}), 400


def require_json_object():
    """Refuse (400) a write whose body is not a JSON object, before any parsing or work."""
    if request.method not in _BODY_METHODS:
        return None
    if not request.is_json:
        return bad_body()
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting: the parser gives up, so do we
        body = None
    return None if isinstance(body, dict) else bad_body()


def flatten(messages: Any) -> dict[str, list[str]]:
    """webargs' nested messages ({"json": {"customer": {"ubigeo": [...]}}}) as flat, Spanish
    `{"customer.ubigeo": [...]}`; a schema-level message belongs to the object it is about."""
    found: dict[str, list[str]] = {}

    def walk(node: Any, path: list[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path if key == "_schema" else [*path, str(key)])
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item, path)
        else:
            text = str(node)
            found.setdefault(".".join(path) or BODY_FIELD, []).append(
                ENGLISH_TO_SPANISH.get(text, text)
            )

    for location_messages in (messages or {}).values():  # drop "json" / "query"
        walk(location_messages, [])
    return found


def http_error(exc: HTTPException):
    """An HTTP error raised in the API (webargs' 422, abort(404), 413, …) as JSON."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if code == 400:
        return bad_body()
    if code == 422:
        return jsonify(errors=flatten(data.get("messages"))), 422
    message = data.get("message") or MESSAGES.get(code) or exc.description
    try:
        error = HTTPStatus(code).name.lower()
    except ValueError:
        error = "error"
    return jsonify(error=error, message=message), code


def intake_error(exc: intake.IntakeError):
    """Invalid case data: 422 with every field and its messages."""
    return jsonify(errors=exc.errors), 422


def duplicate_case(exc: intake.DuplicateCase):
    """A case number already used, or a unit with an open case: 409."""
    existing = exc.existing.case_number if exc.existing is not None else None
    body: dict[str, Any] = {"errors": {exc.field: [str(exc)]}}
    if existing:
        body["existing_case"] = existing
    return jsonify(body), 409


def register(bp: Blueprint) -> None:
    """Install the error handlers on the API blueprint."""
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(intake.IntakeError, intake_error)
    bp.register_error_handler(intake.DuplicateCase, duplicate_case)
