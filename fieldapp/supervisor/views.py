"""Supervisor home: closed jobs waiting for approval."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job
from fieldapp.supervisor import bp


@bp.get("/")
def index():
    """Jobs closed by couriers and waiting for review, oldest first."""
    stmt = select(Job).where(Job.status == JobStatus.DONE).order_by(Job.completed_at)
    return render_template("supervisor/index.html", jobs=db.session.scalars(stmt).all())
