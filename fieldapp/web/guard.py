"""Access control in two layers: every page needs a login (unless marked public), and each
area's blueprint admits only its roles (checked once, in the blueprint's before_request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from fieldapp.domain.roles import HOME_AREA, may_enter
from fieldapp.extensions import db, htmx, login_manager
from fieldapp.models.types import MAX_ID

F = TypeVar("F", bound=Callable)
_PUBLIC_BLUEPRINTS: set[str] = set()


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def public_blueprint(bp: Blueprint) -> Blueprint:
    """Mark a whole blueprint as outside the session login (e.g. the API, with its own keys)."""
    _PUBLIC_BLUEPRINTS.add(bp.name)
    return bp


def guard_area(bp: Blueprint) -> None:
    """Admit to `bp` only the roles of the area it is named after (admins everywhere).

    :raises Forbidden: (403) for a logged-in user of another role.
    """

    @bp.before_request
    def _check_role():
        if not may_enter(current_user.role, bp.name):
            abort(403)


def home_url(user) -> str:
    """Where `user` lands after login: their role's area."""
    return url_for(f"{HOME_AREA[user.role]}.index")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host), else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def wants_json() -> bool:
    """Whether the client is a script (API, sync) rather than a page."""
    accept = request.accept_mimetypes
    if request.path.startswith("/api/"):
        return True
    return request.is_json or accept["application/json"] > accept["text/html"]


def _require_login():
    """Every endpoint needs a logged-in user unless its view or blueprint is public."""
    if request.endpoint is None or current_user.is_authenticated:
        return None
    if request.endpoint == "static" or request.blueprint in _PUBLIC_BLUEPRINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return None
    return login_manager.unauthorized()


def _unauthorized():
    """Not logged in: JSON 401 for scripts, HX-Redirect for htmx, a redirect for pages."""
    login = url_for("auth.login", next=request.full_path.rstrip("?"))
    if wants_json():
        return jsonify(error="unauthenticated", login_url=url_for("auth.login")), 401
    if htmx:
        return "", 401, {"HX-Redirect": login}
    return redirect(login)


def _load_user(user_id: str):
    """The user of a session or remember-me cookie ("id:token"), if the token is still theirs,
    not older than the remember-me duration, and the account active."""
    from fieldapp.models import User
    from fieldapp.services.accounts.users import session_is_valid

    number, _, token = user_id.partition(":")
    if not number.isdigit() or not token or int(number) > MAX_ID:
        return None
    user = db.session.get(User, int(number))
    return user if user is not None and session_is_valid(user, token) else None


def init_app(app: Flask) -> None:
    """Install the login-by-default rule and Flask-Login's callbacks."""
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    # "basic": a phone that changes network (new IP) keeps its session; "strong" would log it out.
    login_manager.session_protection = "basic"
    app.before_request(_require_login)
