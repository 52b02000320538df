"""Fault fixtures: the database made unreachable for a moment, for real (the driver's own
connection error), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from fieldapp.extensions import db
from tests import factories
from tests.api.conftest import API_KEY


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Outage:
    """While `down`, every new connection goes where no database is: a file in a missing folder
    (SQLite) or a closed port (PostgreSQL). Pooled connections are dropped when it starts, so
    the pool's pre-ping reconnects and fails like after a database restart."""

    def __init__(self, engine, nowhere: Path) -> None:
        self.engine, self.nowhere, self.down = engine, nowhere, False

    def redirect(self, _dialect, _record, cargs: list, cparams: dict) -> None:
        """do_connect hook: send the driver to the dead address while the outage lasts."""
        if not self.down:
            return
        if self.engine.dialect.name == "sqlite":
            cargs[0] = str(self.nowhere / "fieldapp.db")
        else:
            cparams.update(host="127.0.0.1", port=closed_port(), connect_timeout=2)

    def start(self) -> None:
        db.session.close()  # the test's own connection goes back to the pool, then away
        self.down = True
        self.engine.dispose()

    def end(self) -> None:
        self.down = False


@pytest.fixture
def outage(app, tmp_path):
    """Start and end a database outage with `outage.start()` / `outage.end()`."""
    broken = Outage(db.engine, tmp_path / "no-such-folder")
    event.listen(db.engine, "do_connect", broken.redirect)
    yield broken
    broken.end()
    event.remove(db.engine, "do_connect", broken.redirect)


class LostConnection:
    """The connection drops (as the driver reports it) at the next statement that starts with
    `prefix`, once: the request has written part of its work when it fails."""

    def __init__(self) -> None:
        self.prefix: str | None = None
        self.fired = 0

    def hook(self, conn, _cursor, statement: str, parameters, _context, _executemany) -> None:
        """before_cursor_execute hook."""
        if self.prefix and statement.lstrip().upper().startswith(self.prefix.upper()):
            self.prefix, self.fired = None, self.fired + 1
            lost = conn.dialect.loaded_dbapi.OperationalError("server closed the connection")
            raise OperationalError(statement, parameters, lost)


@pytest.fixture
def connection_lost(app):
    """Set `connection_lost.prefix` to make the next such statement fail."""
    lost = LostConnection()
    event.listen(db.engine, "before_cursor_execute", lost.hook)
    yield lost
    event.remove(db.engine, "before_cursor_execute", lost.hook)


@pytest.fixture
def api_key(app) -> str:
    """The programme, and an active Call Center client whose key is tests.api.conftest.API_KEY."""
    factories.api_client(API_KEY)
    return API_KEY
