"""Courier home: today's published route."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from fieldapp.courier import bp
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.extensions import db
from fieldapp.models import Route


@bp.get("/")
def index():
    """Today's route of the logged-in courier, once dispatch has published it."""
    today = datetime.now(LIMA_TZ).date()
    stmt = select(Route).where(
        Route.courier_id == current_user.id, Route.day == today, Route.published_at.is_not(None)
    )
    return render_template("courier/index.html", route=db.session.scalar(stmt), today=today)
