"""Administration home: staff accounts and API clients."""

from __future__ import annotations

from flask import render_template

from fieldapp.admin import bp
from fieldapp.models.types import utcnow
from fieldapp.ops import background_status
from fieldapp.services.accounts import queries as accounts


@bp.get("/")
def index():
    """Every user and API client."""
    users = accounts.staff()
    clients = accounts.api_clients()
    return render_template("admin/index.html", users=users, clients=clients)


@bp.get("/jobs")
def jobs():
    """Background work that keeps failing: jobs with their error, documents and e-mails."""
    return render_template(
        "admin/jobs.html",
        failures=background_status.failures(),
        queue=background_status.status(utcnow()),
    )
