"""Login, landing on the role's home, logout, and the `next` parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from fieldapp.domain.roles import HOME_AREA, Role
from fieldapp.extensions import db, limiter
from fieldapp.services.accounts import login_throttle
from tests import factories
from tests.conftest import csrf_token


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home(client, login, role):
    user = factories.user(role)
    response = login(user.username)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{HOME_AREA[role]}/"
    # And "/" keeps sending them there.
    assert client.get("/").headers["Location"] == f"/{HOME_AREA[role]}/"


def test_wrong_password_rerenders_with_message_and_keeps_username(client, login):
    user = factories.user(Role.DISPATCHER, username="dora")
    response = login(user.username, "not-the-password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Usuario o contraseña incorrectos." in html
    assert 'value="dora"' in html
    assert client.get("/dispatch/").status_code == 302


def test_unknown_user_gets_the_same_message(login):
    response = login("nobody", "whatever-password")
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)


def test_empty_fields_get_field_messages(client):
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "username": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "Ingrese su usuario." in html
    assert "Ingrese su contraseña." in html


def test_username_is_case_insensitive(login):
    factories.user(Role.COURIER, username="carla")
    assert login("  CARLA ").status_code == 303


def test_inactive_user_cannot_log_in(client, login):
    user = factories.user(Role.COURIER)
    user.active = False
    db.session.commit()
    token = user.session_token
    response = login(user.username)
    assert response.status_code == 200
    # Refused with the same words as a wrong password (no hint that the account exists).
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    # Nobody is logged in: the courier's home still sends to the login page.
    home = client.get("/courier/")
    assert home.status_code == 302 and home.headers["Location"].startswith("/login")
    db.session.refresh(user)
    assert user.last_login_at is None and user.session_token == token  # no session started
    # Counted as a failed attempt of this address at this account, like a wrong password.
    failures_key, _ = login_throttle._keys(user.username, "127.0.0.1")
    assert limiter.storage.get(failures_key) == 1


def test_password_is_hashed(app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"  # the production setting (tests use a cheap one)
    user = factories.user(Role.COURIER)
    assert factories.PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(factories.PASSWORD) and not user.check_password("wrong-horse")


def test_production_hashes_passwords_with_scrypt(tmp_path):
    from fieldapp.config import load_config

    assert (
        load_config(tmp_path, {"FIELDAPP_ENV": "development"})["PASSWORD_HASH_METHOD"] == "scrypt"
    )


def test_next_goes_back_to_the_page_asked_for(client):
    user = factories.user(Role.SUPERVISOR)
    token = csrf_token(client)
    data = {"username": user.username, "password": factories.PASSWORD, "csrf_token": token}
    response = client.post("/login?next=/cases/", data=data)
    assert response.headers["Location"] == "/cases/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client, target):
    user = factories.user(Role.SUPERVISOR)
    token = csrf_token(client)
    data = {"username": user.username, "password": factories.PASSWORD, "csrf_token": token}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.headers["Location"] == "/supervisor/"


def test_logout_needs_post_and_ends_the_session(client, login):
    user = factories.user(Role.TECHNICIAN)
    login(user.username)
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/workshop/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/workshop/").status_code == 302


def test_logged_in_user_visiting_login_goes_home(client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    assert client.get("/login").headers["Location"] == "/courier/"


# --- Revocable sessions and remember-me cookies (issue 13, item 3) -----------------------------


def _remembered(app, client) -> str:
    """The remember-me cookie the client holds after logging in."""
    cookie = client.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert cookie is not None, "no remember cookie"
    return cookie.value


def _with_cookie(app, value: str):
    """A fresh browser holding only that remember-me cookie (no session)."""
    other = app.test_client()
    other.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), value)
    return other


def _logs_in(browser) -> bool:
    return browser.get("/courier/").status_code == 200


def test_a_remember_cookie_dies_with_logout(app, client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    cookie = _remembered(app, client)
    assert _logs_in(_with_cookie(app, cookie))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/courier/")})
    assert not _logs_in(_with_cookie(app, cookie))
    login(user.username)  # a new login works and gives a new cookie
    assert _remembered(app, client) != cookie and _logs_in(client)


def _change_password(user) -> None:
    user.set_password("otra-clave-muy-larga-99")


def _deactivate_then_reactivate(user) -> None:
    user.active = False
    db.session.commit()
    user.active = True  # reactivated later: the old sessions stay dead


@pytest.mark.parametrize("change", [_change_password, _deactivate_then_reactivate])
def test_a_password_change_or_deactivation_ends_every_session_and_cookie(
    app, client, login, change
):
    user = factories.user(Role.COURIER)
    login(user.username)
    cookie = _remembered(app, client)
    change(user)
    db.session.commit()
    assert not _logs_in(client)
    assert not _logs_in(_with_cookie(app, cookie))


def test_a_remember_cookie_expires_on_the_server_too(app, client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    cookie = _remembered(app, client)
    days = app.config["REMEMBER_COOKIE_DURATION"] // 86400
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days + 1), tick=False):
        assert not _logs_in(_with_cookie(app, cookie))
        assert not _logs_in(client)
    assert _logs_in(_with_cookie(app, cookie))
