"""Dispatch home: jobs waiting for a route."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.dispatch import bp
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job


@bp.get("/")
def index():
    """Jobs to plan, most urgent first."""
    stmt = (
        select(Job)
        .where(Job.status.in_([JobStatus.PENDING, JobStatus.FAILED]))
        .order_by(Job.due_at)
    )
    return render_template("dispatch/index.html", jobs=db.session.scalars(stmt).all())
