"""Staff accounts: authentication and creation."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

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


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (top-10 common) … 4 (very unguessable)
# Words anyone would try first against this app's accounts.
_GUESSES = ["fieldapp", "kodak", "alternativa", "tecnologica", "lima", "peru", "garantia"]


def check_password_strength(password: str, personal: list[str]) -> None:
    """Refuse short passwords and those zxcvbn finds easy to guess (common passwords,
    keyboard patterns, dates, the person's own name or username, this app's words).

    :raises AccountError: saying what to do instead.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.")
    # zxcvbn's cost grows with the length; the first 100 characters tell enough.
    result = zxcvbn(password[:100], user_inputs=[*personal, *_GUESSES])
    if result["score"] < MIN_PASSWORD_SCORE:
        raise AccountError(
            "La contraseña es común o fácil de adivinar: use tres o cuatro palabras poco "
            "comunes, sin su nombre ni su usuario."
        )


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


def session_is_valid(user: User, token: str) -> bool:
    """Whether a session or remember-me cookie carrying `token` still belongs to `user`: the
    current token, issued less than the remember-me duration ago, on an active account."""
    if not user.active or user.session_token is None or user.session_token_at is None:
        return False
    if not hmac.compare_digest(user.session_token, token):
        return False
    lifetime = timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])
    return utcnow() - user.session_token_at < lifetime


def start_session(user: User) -> None:
    """Before logging `user` in: a token for the session, new if none is valid any more (the
    sessions on their other devices keep theirs until it expires or is revoked)."""
    if user.session_token is None or not session_is_valid(user, user.session_token):
        user.end_sessions()


def create_user(
    username: str,
    password: str,
    role: Role,
    full_name: str | None = None,
    *,
    enforce_password_policy: bool = True,
    **extra,
) -> User:
    """Add a user and flush (the demo data alone skips the password policy).

    :raises AccountError: when the username is taken or not plain ASCII, or the password short
        or easy to guess.
    """
    username = username.strip().lower()
    if not username:
        raise AccountError("El usuario no puede estar vacío.")
    if not USERNAME.match(username):
        # ASCII only: "admіn" with a Cyrillic і would pass for "admin" on screen.
        raise AccountError(
            "El usuario debe tener de 3 a 32 caracteres: letras a-z sin tildes, dígitos, "
            "punto, guion o guion bajo (empezando por letra o dígito)."
        )
    if find_user(username) is not None:
        raise AccountError(f"El usuario «{username}» ya existe.")
    if enforce_password_policy:
        check_password_strength(password, [username, full_name or ""])
    user = User(username=username, full_name=full_name or username, role=role, **extra)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
