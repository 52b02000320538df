"""Bearer-key authentication of the API's clients (the Call Center): no session, no cookies."""

from __future__ import annotations

from datetime import timedelta

from flask import g, jsonify, request

from fieldapp.models import ApiClient
from fieldapp.models.types import utcnow

REALM = 'Bearer realm="fieldapp API"'
UNAUTHORIZED_MESSAGE = (
    "Falta la clave de API o no es válida: envíe «Authorization: Bearer <clave>»."
)
# last_used_at is for people checking which keys are alive: a minute's precision spares a
# write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def bearer_key() -> str | None:
    """The key of an `Authorization: Bearer <key>` header, if there is one."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


def require_api_client():
    """Admit only requests bearing an active client's key, and note when the key was used.

    Returns a 401 JSON response (with `WWW-Authenticate: Bearer`) otherwise.
    """
    key = bearer_key()
    client = ApiClient.by_key(key) if key else None
    if client is None:
        challenge = f'{REALM}, error="invalid_token"' if key else REALM
        response = jsonify(error="unauthorized", message=UNAUTHORIZED_MESSAGE)
        return response, 401, {"WWW-Authenticate": challenge}
    _record_use(client)
    g.api_client = client
    return None


def _record_use(client: ApiClient) -> None:
    """Stamp `last_used_at` (to the minute: not a write on every call), kept with the
    request's transaction."""
    now = utcnow()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_PRECISION:
        return
    client.last_used_at = now


def current_client() -> ApiClient:
    """The client admitted by `require_api_client` for this request."""
    return g.api_client
