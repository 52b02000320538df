"""Login (throttled per account and per address) and logout."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from fieldapp.auth import bp
from fieldapp.auth.forms import LoginForm
from fieldapp.domain.roles import Role
from fieldapp.extensions import limiter
from fieldapp.services.accounts import login_throttle, users
from fieldapp.web.guard import home_url, public, safe_next


def _failed(response) -> bool:
    """Only failed attempts count toward the limits; a success answers 303."""
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
def login():
    """Show the login form; on valid credentials log in and go to the role's home. Failures
    slow down the same address at the same account (exponential backoff, never a lock-out
    for other addresses); the decorator above caps one address's failures overall."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user), 303)
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data, request.remote_addr
        wait = login_throttle.wait_seconds(username, address)
        if wait:
            message = f"Demasiados intentos. Espere {wait} s e inténtelo de nuevo."
            form.password.errors.append(message)
            return render_template("auth/login.html", form=form), 429
        user = users.authenticate(username, form.password.data)
        if user is None:
            login_throttle.failed(username, address)
        else:
            login_throttle.succeeded(username, address)
            users.start_session(user)
            # Couriers stay logged in: a phone offline for a day must still sync its queue.
            remember = form.remember.data or user.role == Role.COURIER
            login_user(user, remember=remember)
            return redirect(safe_next(request.args.get("next")) or home_url(user), 303)
        form.password.errors.append("Usuario o contraseña incorrectos.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """End the session, and every other one of this user with their remember-me cookies
    (POST, so a link elsewhere cannot log anyone out)."""
    if current_user.is_authenticated:
        current_user.end_sessions()  # committed with the request
    logout_user()
    flash("Sesión cerrada.", "info")
    return redirect(url_for("auth.login"), 303)
