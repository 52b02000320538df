"""Staff accounts and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


def password_hash_method() -> str:
    """The hash for new passwords: scrypt; the test suite sets a cheap one in its config."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


class User(UserMixin, db.Model):
    """A member of the ST's staff who logs in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(256))
    # The branch (counter) the person works at; None: every branch (e.g. an admin).
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every session and remember-me cookie carries this token (see get_id); a new one ends
    # them all: on logout, on a password change and on deactivation. Issued at login.
    session_token: Mapped[str | None] = mapped_column(String(64))
    session_token_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password` (werkzeug's scrypt unless PASSWORD_HASH_METHOD);
        the sessions opened with the old one end."""
        self.password_hash = generate_password_hash(password, password_hash_method())
        self.end_sessions()

    def end_sessions(self) -> None:
        """Revoke every session and remember-me cookie of this user (a new token)."""
        self.session_token = secrets.token_urlsafe(32)
        self.session_token_at = utcnow()

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: id and token."""
        return f"{self.id}:{self.session_token}"

    @validates("active")
    def _deactivating_ends_sessions(self, _key: str, active: bool) -> bool:
        if not active and self.id is not None:
            self.end_sessions()
        return active

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
