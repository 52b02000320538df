"""Views outside any area: the home redirect and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect
from flask_login import current_user

from fieldapp.models.types import utcnow
from fieldapp.ops import background_status
from fieldapp.transaction import discard
from fieldapp.web.guard import home_url, public

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """Send the user to their role's home."""
    return redirect(home_url(current_user))


@bp.get("/healthz")
@public
def healthz():
    """200 with the queue's state when the database answers (how many documents, e-mails and
    optimisations wait, and for how long the oldest), 503 when it does not."""
    try:
        queue = background_status.status(utcnow())
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        discard()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok", queue=queue.as_dict())
