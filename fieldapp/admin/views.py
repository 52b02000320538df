"""Administration home: staff accounts and API clients."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.admin import bp
from fieldapp.extensions import db
from fieldapp.models import ApiClient, User
from fieldapp.models.types import utcnow
from fieldapp.ops import background_status


@bp.get("/")
def index():
    """Every user and API client."""
    users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    clients = db.session.scalars(select(ApiClient).order_by(ApiClient.name)).all()
    return render_template("admin/index.html", users=users, clients=clients)


@bp.get("/jobs")
def jobs():
    """Background work that keeps failing: jobs with their error, documents and e-mails."""
    return render_template(
        "admin/jobs.html",
        failures=background_status.failures(),
        queue=background_status.status(utcnow()),
    )
