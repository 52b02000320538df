"""Views outside any area: the home redirect and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect
from flask_login import current_user
from sqlalchemy import text

from fieldapp.extensions import db
from fieldapp.web.guard import home_url, public

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """Send the user to their role's home."""
    return redirect(home_url(current_user))


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
