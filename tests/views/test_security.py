"""Security baseline: CSRF, headers, cookies, throttling, body size, no inline scripts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from fieldapp.domain.roles import Role
from tests import factories
from tests.conftest import csrf_token, make_app

TEMPLATES = Path(__file__).parents[2] / "fieldapp" / "templates"


# --- CSRF -------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(client):
    factories.user(Role.ADMIN, username="root1")
    response = client.post("/login", data={"username": "root1", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "El formulario expiró o no es válido" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not logged in


def test_logout_with_a_forged_token_is_refused(client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/courier/").status_code == 200  # still logged in


def test_csrf_token_in_htmx_header_is_accepted(client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    token = csrf_token(client, "/courier/")
    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


def test_csrf_refusal_is_json_for_scripts(client, login):
    user = factories.user(Role.COURIER)
    login(user.username)
    response = client.post("/logout", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "csrf"


def test_pages_carry_the_token_for_htmx(client, login):
    user = factories.user(Role.DISPATCHER)
    login(user.username)
    html = client.get("/dispatch/").get_data(as_text=True)
    assert re.search(r'hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'', html)


# --- Headers ----------------------------------------------------------------------------------

PUBLIC_URLS = ["/login", "/healthz", "/static/css/app.css", "/does-not-exist"]
AREA_URLS = [
    "/cases/",
    "/dispatch/",
    "/courier/",
    "/workshop/",
    "/supervisor/",
    "/supervisor/dashboard",
    "/stock/",
    "/admin/",
]


def _assert_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_security_headers_on_public_responses(client, url):
    with client.get(url) as response:  # closes the static file's handle
        _assert_headers(response)


@pytest.mark.parametrize("url", AREA_URLS)
def test_security_headers_on_every_area_page(client, login, url):
    login(factories.user(Role.ADMIN).username)
    response = client.get(url)
    assert response.status_code == 200
    _assert_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_security_headers_on_forbidden_and_redirects(client, login):
    _assert_headers(client.get("/admin/"))  # redirect to login
    login(factories.user(Role.COURIER).username)
    _assert_headers(client.get("/admin/"))  # 403


def test_no_inline_scripts_or_handlers_in_templates():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    inline_style = re.compile(r"\sstyle\s*=", re.I)
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] == "pdf":
            continue  # PDFs are rendered by WeasyPrint, not a browser
        text = path.read_text()
        for pattern in (inline_script, handler, inline_style):
            if pattern.search(text):
                offenders.append(f"{path.name}: {pattern.pattern}")
    assert offenders == []


def test_htmx_is_configured_without_eval(client):
    html = client.get("/login").get_data(as_text=True)
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert 'src="/static/vendor/htmx.min.js"' in html


# --- Cookies ----------------------------------------------------------------------------------


def _set_cookie(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set")


def test_session_cookie_is_httponly_and_lax(client, login):
    response = login(factories.user(Role.ADMIN).username, remember="y")
    for name in ("session", "remember_token"):
        cookie = _set_cookie(response, name)
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development(database, tmp_path):
    app = make_app(
        database, tmp_path, FIELDAPP_ENV="production", PUBLIC_URL="https://fieldapp.example"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    response = client.get("/login", base_url="https://fieldapp.example")
    assert "Secure" in _set_cookie(response, "session")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- Throttling -------------------------------------------------------------------------------


def test_failures_from_one_address_never_lock_the_account_for_another(app, client, login):
    user = factories.user(Role.DISPATCHER)
    for _ in range(12):  # someone elsewhere guessing at this account
        login(user.username, "wrong-password")
    owner = app.test_client()  # the owner, from an address that has not failed
    token = csrf_token(owner)
    response = owner.post(
        "/login",
        data={"username": user.username, "password": factories.PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 303


WAIT = re.compile(r"Espere (\d+) s")


def test_one_address_at_one_account_backs_off_exponentially(client, login):
    user = factories.user(Role.DISPATCHER)
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), tick=False) as clock:
        for _ in range(3):  # typos are free
            assert login(user.username, "wrong-password").status_code == 200
        waits = []
        for _ in range(4):
            response = login(user.username, factories.PASSWORD)  # even the right one waits
            assert response.status_code == 429
            waits.append(int(WAIT.search(response.get_data(as_text=True)).group(1)))
            clock.shift(waits[-1])
            assert login(user.username, "wrong-password").status_code == 200
        assert waits == [5, 10, 20, 40]
        # Another account from the same address is not slowed by this one's failures.
        assert login(factories.user(Role.COURIER).username).status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client, "/courier/")})
        clock.shift(80)
        assert login(user.username).status_code == 303  # the right password after the wait


def test_login_is_throttled_per_address(app, client, login):
    factories.user(Role.DISPATCHER, username="target")
    for n in range(20):
        login(f"guess{n}", "wrong-password")
    response = login("target")
    assert response.status_code == 429
    # Another address is not affected.
    other = app.test_client()
    token = csrf_token(other)
    response = other.post(
        "/login",
        data={"username": "target", "password": factories.PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 303


def test_successful_logins_do_not_count(client, login):
    user = factories.user(Role.COURIER)
    for _ in range(8):
        assert login(user.username).status_code == 303
        client.post("/logout", data={"csrf_token": csrf_token(client, "/courier/")})


# --- Body size --------------------------------------------------------------------------------


def test_oversized_body_is_refused(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"username": "x" * 4096})
    assert response.status_code == 413
    assert "demasiado grande" in response.get_data(as_text=True)


def test_max_content_length_is_set_by_default(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 20 * 1024 * 1024


def test_the_map_tile_host_is_allowed_as_an_image_source_only_when_set(app, client):
    from fieldapp.web.security import tile_source

    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_source("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png") == "http://127.0.0.1:8081"
    assert tile_source("") is None and tile_source("javascript:alert(1)") is None
    plain = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in plain
    app.config["MAP_TILE_URL"] = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    with_tiles = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in with_tiles.split(";"))
    assert directives["img-src"] == "'self' data: blob: https://*.tile.example.org"
    assert directives["connect-src"] == "'self'" and directives["script-src"] == "'self'"


# --- Small protocol details (issue 13, item 14) -----------------------------------------------


def test_a_405_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    allowed = set(response.headers["Allow"].split(", "))
    assert "POST" in allowed and "GET" not in allowed
    assert "Método no permitido." in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_hsts_comes_from_the_app_alone_behind_the_documented_proxy(database, tmp_path):
    deploy = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()
    assert not re.search(r"add_header\s+Strict-Transport-Security", deploy)
    app = make_app(database, tmp_path, PROXY_FIX_COUNT=1)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers.getlist("Strict-Transport-Security") == [
        "max-age=31536000; includeSubDomains"
    ]
