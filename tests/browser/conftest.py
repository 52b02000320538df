"""Browser fixtures: the app served for real on 127.0.0.1 (stoppable and restartable on the same
port, so a service worker's own traffic is cut too), and Debian's Chromium at a phone viewport.

Playwright's `set_offline` does not cut a service worker's requests, so "offline" here means the
server is down. The server can also answer 500 once, after applying a sync action, to play a
lost answer that makes the phone replay an action the server already has.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from tests import factories
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
# Assertions wait for the state they name; this only bounds how long a broken page is waited
# for (Playwright's 5 s default is too short for a loaded 2-core machine).
expect.set_options(timeout=15_000)


class SyncRecorder:
    """WSGI middleware: keeps every body sent to /courier/sync and can fail the next one; counts
    the response bytes the server sends (bodies only) for the transfer figures."""

    def __init__(self, app):
        self.app = app
        self.bodies: list[bytes] = []
        self.fail_after_apply = 0
        self.delay_seconds = 0.0  # answer each sync this late (a slow server or network)
        self.bytes_out = 0
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        self.paths.append(environ.get("PATH_INFO", ""))
        answered = self._route(environ, start_response)
        try:
            for chunk in answered:
                self.bytes_out += len(chunk)
                yield chunk
        finally:
            if hasattr(answered, "close"):
                answered.close()

    def _route(self, environ, start_response):
        if environ.get("PATH_INFO") != "/courier/sync":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        self.bodies.append(body)
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)  # the slow server under test, not a wait
        if self.fail_after_apply <= 0:
            return self.app(environ, start_response)
        self.fail_after_apply -= 1
        answered = self.app(environ, lambda *args, **kwargs: None)  # applied, then "lost"
        for _ in answered:
            pass
        if hasattr(answered, "close"):
            answered.close()
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "application/json")])
        return [json.dumps({"error": "500", "message": "Error de prueba."}).encode()]


class LiveServer:
    """The app on 127.0.0.1:<port>, in a thread; stop() and start() keep the same port."""

    def __init__(self, app):
        self.app = app
        self.recorder = SyncRecorder(app.wsgi_app)
        app.wsgi_app = self.recorder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None


@pytest.fixture(scope="session")
def live_app(template_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    path = folder / "live.db"
    shutil.copy(template_db, path)
    app = make_app(Path(path), folder)
    with app.app_context():
        factories.programme()
        factories.user(Role.COURIER, username="carlos", full_name="Carlos Quispe")
        factories.user(Role.COURIER, username="rosa", full_name="Rosa Huamán")
        factories.user(Role.SUPERVISOR, username="sofia", full_name="Sofía Ramos")
        factories.user(Role.COURIER, username="tomas", full_name="Tomás Rojas")
        # The transfer figures count one route: a courier no other test gives stops to.
        factories.user(Role.COURIER, username="paula", full_name="Paula Díaz")
        factories.user(Role.DISPATCHER, username="diana", full_name="Diana Torres")
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server, live_app):
    """The running server (restarted if a test left it down), inside an app context."""
    live_server.stop()
    live_server.start()
    live_server.recorder.bodies.clear()
    live_server.recorder.fail_after_apply = 0
    live_server.recorder.delay_seconds = 0.0
    with live_app.app_context():
        yield live_server
        db.session.remove()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def browser_context(
    browser, server, viewport=PHONE, *, mobile: bool = True, timeout_ms: int = 10_000, **extra
):
    """A fresh browser context (own cookies, storage and service worker) on the live server, in
    Lima's locale and time zone: a touch phone at `viewport` unless `mobile=False`; `extra` goes
    to Playwright (permissions, geolocation, …)."""
    options = {
        "viewport": viewport,
        "locale": "es-PE",
        "timezone_id": "America/Lima",
        "base_url": server.url,
        **extra,
    }
    if mobile:
        options.update(is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    context.set_default_timeout(timeout_ms)
    return context


@pytest.fixture
def phone(browser, server):
    """A fresh phone (own cookies, service worker and IndexedDB) with GPS allowed."""
    context = browser_context(
        browser,
        server,
        permissions=["geolocation"],
        geolocation={"latitude": -12.0975, "longitude": -77.0364, "accuracy": 12},
    )
    yield context
    context.close()


def csp_errors(page) -> list[str]:
    """The Content Security Policy errors the page logs from now on (a list that fills up)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


def log_in(page, username: str, next_path: str | None = None) -> None:
    """Log in through the form like a courier would."""
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def live_worker(live_app, server):
    """The live app's worker threads (optimiser runs, documents), for the test."""
    from fieldapp.worker import runner

    running = runner.start(live_app, threads=1, schedule=False)
    yield running
    running.stop(timeout_ms=10_000)
