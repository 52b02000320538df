"""Administration home: staff accounts and API clients."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.admin import bp
from fieldapp.extensions import db
from fieldapp.models import ApiClient, User


@bp.get("/")
def index():
    """Every user and API client."""
    users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    clients = db.session.scalars(select(ApiClient).order_by(ApiClient.name)).all()
    return render_template("admin/index.html", users=users, clients=clients)
