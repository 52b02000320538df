"""Read-only lists of accounts for the administration pages: staff and API clients."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.models import ApiClient, User


def staff() -> list[User]:
    """Every staff account, active or not, grouped by role then by username."""
    return list(db.session.scalars(select(User).order_by(User.role, User.username)))


def api_clients() -> list[ApiClient]:
    """Every API client (key holder), by name."""
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.name)))
