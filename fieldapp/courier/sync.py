"""`POST /courier/sync`: the phone's offline queue, replayed action by action.

Why no CSRF token here: Flask-WTF tokens expire after an hour and are tied to the session, while
a courier's phone may stay offline for a day in the provinces; a queued action carrying a dead
token would be refused forever. Cross-site posts are stopped instead by the session cookie
(SameSite=Lax, so another site's POST arrives without it, hence 401), by an Origin (or
Sec-Fetch-Site) check that must name this site, and by accepting only `application/json`,
which a plain HTML form cannot send. An expired session answers 401 JSON, never a redirect, so
the queue keeps the action and retries after the courier logs in again.

An action refused for good (invalid, not the courier's stop, refused by the rules) is answered
200 with `"refused": true`, the reason and `refused_status` (its 4xx): the phone's queue removes
an action only on a 2xx, and keeps retrying anything else (5xx, 401, a network error).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from fieldapp.courier import bp
from fieldapp.extensions import csrf
from fieldapp.models.types import utcnow
from fieldapp.services.courier import sync as courier_sync
from fieldapp.transaction import keep

MAX_ACTIONS = 50
# Answers of an action that can never succeed as sent: invalid, not the courier's stop, no
# longer in progress or changed meanwhile, refused by the rules.
REFUSED = frozenset({400, 404, 409, 422})


def _same_origin() -> bool:
    """Whether the request comes from a page of this site."""
    origin = request.headers.get("Origin")
    if origin:
        return origin.rstrip("/") == request.host_url.rstrip("/")
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


@bp.post("/sync")
@csrf.exempt
def sync():
    """Apply one queued action (a JSON object) or several (a JSON list), each answered alone;
    403 JSON for another origin, 415 for a body that is not JSON (never a redirect)."""
    if not _same_origin():
        return jsonify(error="origin", message="Origen no permitido."), 403
    if not request.is_json:
        return jsonify(error="unsupported", message="Envíe JSON."), 415
    try:
        data = request.get_json(silent=True)
    except RequestEntityTooLarge:  # a photo the phone should have shrunk: never accepted as is
        return _refused(413, {"error": "too_large", "message": "El archivo es demasiado grande."})
    if data is None:
        return jsonify(error="invalid", message="El cuerpo no es JSON válido."), 400
    if isinstance(data, list):
        if len(data) > MAX_ACTIONS:
            return jsonify(error="invalid", message=f"Máximo {MAX_ACTIONS} acciones."), 400
        results = []
        for raw in data:
            answer = courier_sync.apply(current_user, raw)
            results.append(
                {
                    "id": raw.get("id") if isinstance(raw, dict) else None,
                    "status": answer.status,
                    **answer.body,
                }
            )
        return jsonify(results=results, server_at=_now()), 200
    answer = courier_sync.apply(current_user, data)
    if answer.status in REFUSED:
        keep()  # the refusal is stored with its answer, for the phone's replay
        return _refused(answer.status, answer.body)
    return jsonify(**answer.body, server_at=_now()), answer.status


def _refused(status: int, body: dict):
    """An action that can never succeed as sent, answered 2xx so the phone's queue lets it go
    (only a 2xx removes an action; anything else is retried) with the reason and the status it
    would have had, which the phone shows on the step."""
    return jsonify(**body, refused=True, refused_status=status, server_at=_now()), 200


def _now() -> str:
    return utcnow().isoformat()
