"""Workshop home: units in the workshop against their repair deadline."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.workshop import bp


@bp.get("/")
def index():
    """Units being repaired, oldest reception first."""
    stmt = select(Case).where(Case.status == Status.IN_WORKSHOP).order_by(Case.unit_received_at)
    return render_template("workshop/index.html", cases=db.session.scalars(stmt).all())
