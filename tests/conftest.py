"""Fixtures: an app on a fresh database built by the migrations, a client, and a login helper.

The schema is made once per session with `flask db upgrade` (the same path production takes).
On SQLite (the default) each test gets its own copy of that template file. With DATABASE_URL
pointing to PostgreSQL (the second CI pass), the suite migrates one private database and empties
its tables after each test.

FIELDAPP_TEST_NOW pins the clock for the whole run: every test starts at that Lima time (the
clock then ticks on), e.g. `FIELDAPP_TEST_NOW=23:55` (today's Lima date) or an ISO datetime.
CI runs the suite at 23:55 and 00:05 Lima as well as at the real time.
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import uuid
from datetime import datetime, time
from pathlib import Path

import flask_migrate
import pytest
import time_machine
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from fieldapp import create_app
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from tests import factories

TEST_SECRET_KEY = "test-only-secret-key-0123456789abcdefghijklmnop"
# One PBKDF2 round: the suite hashes a password per user made, and scrypt costs ~50 ms each.
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pinned_now(value: str | None = None) -> datetime | None:
    """The Lima time FIELDAPP_TEST_NOW names ("HH:MM" today in Lima, or an ISO datetime)."""
    value = (value if value is not None else os.environ.get("FIELDAPP_TEST_NOW", "")).strip()
    if not value:
        return None
    if len(value) <= 8 and ":" in value:
        today = datetime.now(LIMA_TZ).date()
        return datetime.combine(today, time.fromisoformat(value), LIMA_TZ)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LIMA_TZ)


PINNED_NOW = pinned_now()


@pytest.fixture(autouse=True)
def _pinned_clock():
    """With FIELDAPP_TEST_NOW set, each test starts at that time (threads included)."""
    if PINNED_NOW is None:
        yield None
        return
    with time_machine.travel(PINNED_NOW, tick=True) as traveller:
        yield traveller


def pytest_report_header(config):
    if PINNED_NOW is not None:
        return f"clock pinned: each test starts at {PINNED_NOW.isoformat()} (FIELDAPP_TEST_NOW)"
    return None


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


def postgres_url() -> str | None:
    """The PostgreSQL server the suite runs against, if DATABASE_URL names one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        return None
    return url.replace("postgres://", "postgresql+psycopg://", 1).replace(
        "postgresql://", "postgresql+psycopg://", 1
    )


def on_postgres() -> bool:
    """Whether this run of the suite is the PostgreSQL pass."""
    return postgres_url() is not None


def _admin(statement: str) -> None:
    """Run CREATE/DROP DATABASE on the PostgreSQL server (outside a transaction)."""
    admin = create_engine(make_url(postgres_url()).set(database="postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))
    admin.dispose()


def new_postgres_database() -> str:
    """An empty PostgreSQL database of its own; returns its URL."""
    name = f"fieldapp_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    return make_url(postgres_url()).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `new_postgres_database`."""
    name = make_url(url).database
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database: Path | str, tmp_path: Path, **overrides):
    """An app in testing mode on `database`: a SQLite file path, or a database URL."""
    uri = database if isinstance(database, str) else f"sqlite:///{database}"
    config = {
        "FIELDAPP_ENV": "testing",
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": uri,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
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


@pytest.fixture(scope="session")
def postgres_db(tmp_path_factory):
    """On the PostgreSQL pass: one migrated database for the whole session (else None)."""
    if not on_postgres():
        yield None
        return
    url = new_postgres_database()
    app = make_app(url, tmp_path_factory.mktemp("pg"))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield url
    drop_postgres_database(url)


def _empty_tables() -> None:
    # DELETE, children first: far quicker than TRUNCATE on tables this small.
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def database(template_db, postgres_db, tmp_path):
    """A migrated database of the test's own: a SQLite copy, or the emptied PostgreSQL one."""
    if postgres_db is not None:
        return postgres_db
    path = tmp_path / "test.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database (no schema), for migration tests, on the engine of this pass."""
    if not on_postgres():
        yield tmp_path / "fresh.db"
        return
    url = new_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def app_overrides() -> dict:
    """Extra settings for the `app` fixture: a test module overrides this fixture to run its
    tests on another configuration (e.g. media on S3)."""
    return {}


@pytest.fixture
def app(database, tmp_path, app_overrides):
    """The app, inside an app context, on a private migrated database."""
    application = make_app(database, tmp_path, **app_overrides)
    with application.app_context():
        yield application
        db.session.remove()
        if on_postgres():
            _empty_tables()
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


@pytest.fixture
def logged_in(login):
    """Make a user of `role` (`extra`: username, full_name, …) and log them in through the
    form; returns the user."""

    def _logged_in(role: Role, **extra):
        user = factories.user(role, **extra)
        login(user.username)
        return user

    return _logged_in


@pytest.fixture
def courier(app):
    """A courier, Carlos Ríos, whose username is "carlos" (not logged in)."""
    return factories.user(Role.COURIER, username="carlos", full_name="Carlos Ríos")


class Background:
    """The app's worker threads, started for a test; `drain()` waits until every queued job
    (and any job those queued) has run."""

    def __init__(self, app) -> None:
        from fieldapp.worker import runner

        self.app = app
        self.running = runner.start(app, threads=2, schedule=False)

    def drain(self, timeout_s: float = 60) -> None:
        """Commit the test's own transaction, then wait on the queues' state (never a sleep)."""
        from dramatiq.common import dq_name, join_queue

        if has_app_context():
            db.session.commit()
        broker = self.app.extensions["fieldapp_queue"].broker
        for _ in range(3):  # a job may queue another one
            for name, queue in list(broker.queues.items()):
                if name != dq_name(name):  # retries wait on the delay queues: not ours to wait
                    join_queue(queue, timeout=timeout_s)
            self.running.worker.join()
        if has_app_context():
            db.session.expire_all()


@pytest.fixture
def background(app):
    """Worker threads consuming the app's in-memory queue for this test."""
    started = Background(app)
    yield started
    started.running.stop(timeout_ms=10_000)
