"""Fixtures: an app on a fresh database built by the migrations, a client, and a login helper.

The schema is made once per session with `flask db upgrade` (the same path production takes)
into a template database; each test gets its own copy.
"""

from __future__ import annotations

import contextvars
import re
import shutil
from pathlib import Path

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from fieldapp import create_app
from fieldapp.extensions import db
from tests import factories

TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnop"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production.

    Without this, a request made while the test holds an app context reuses it, and `g` (the
    CSRF token, the logged-in user, the database session) leaks from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            # End the test's own transaction first: what it set up becomes visible to the
            # request, and its next query starts a fresh snapshot that sees the request's writes.
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(db_path: Path, tmp_path: Path, **overrides):
    """An app in testing mode on the SQLite file `db_path`."""
    config = {
        "FIELDAPP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A database upgraded to the latest migration, copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = make_app(path, folder)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app(template_db, tmp_path):
    """The app, inside an app context, on a private copy of the migrated database."""
    path = tmp_path / "test.db"
    shutil.copy(template_db, path)
    application = make_app(path, tmp_path)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page like a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(html)
    assert match, f"no csrf-token meta on {path}"
    return match.group(1)


@pytest.fixture
def login(client):
    """Log `user` in through the real form; returns the response of the POST."""

    def _login(username: str, password: str = factories.PASSWORD, **extra):
        token = csrf_token(client)
        data = {"username": username, "password": password, "csrf_token": token, **extra}
        return client.post("/login", data=data)

    return _login
