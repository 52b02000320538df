"""Staff accounts: authentication and creation."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import User
from fieldapp.models.types import utcnow
from fieldapp.models.user import password_hash_method


@cache
def _dummy_hash(method: str) -> str:
    """A hash checked when the username is unknown, so both paths cost one hash check."""
    return generate_password_hash(secrets.token_hex(16), method)


class AccountError(ValueError):
    """Raised when an account cannot be created as asked."""


def find_user(username: str) -> User | None:
    """The user with this username, case-insensitively."""
    stmt = select(User).where(func.lower(User.username) == username.strip().lower())
    return db.session.scalar(stmt)


def authenticate(username: str, password: str) -> User | None:
    """The active user whose credentials these are, stamped with the login time; else None."""
    user = find_user(username)
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def create_user(
    username: str, password: str, role: Role, full_name: str | None = None, **extra
) -> User:
    """Add a user and flush.

    :raises AccountError: when the username is taken or the password too short.
    """
    username = username.strip().lower()
    if not username:
        raise AccountError("El usuario no puede estar vacío.")
    if find_user(username) is not None:
        raise AccountError(f"El usuario «{username}» ya existe.")
    if len(password) < 8:
        raise AccountError("La contraseña debe tener al menos 8 caracteres.")
    user = User(username=username, full_name=full_name or username, role=role, **extra)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
