"""`POST /courier/sync`: the phone's offline queue, replayed action by action.

Why no CSRF token here: Flask-WTF tokens expire after an hour and are tied to the session, while
a courier's phone may stay offline for a day in the provinces; a queued action carrying a dead
token would be refused forever. Cross-site posts are stopped instead by the session cookie
(SameSite=Lax, so another site's POST arrives without it, hence 401), by an Origin (or
Sec-Fetch-Site) check that must name this site, and by accepting only `application/json`,
which a plain HTML form cannot send. An expired session answers 401 JSON, never a redirect, so
the queue keeps the action and retries after the courier logs in again.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from fieldapp.courier import bp
from fieldapp.extensions import csrf
from fieldapp.models.types import utcnow
from fieldapp.services import courier_sync
from fieldapp.transaction import keep

MAX_ACTIONS = 50


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
    data = request.get_json(silent=True)
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
    keep()  # a refused action is stored with its answer, for the phone's replay
    return jsonify(**answer.body, server_at=_now()), answer.status


def _now() -> str:
    return utcnow().isoformat()
