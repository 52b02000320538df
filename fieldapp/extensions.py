"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

import sqlite3

from flask import has_request_context, request
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def _render_item(type_: str, obj, autogen_context) -> str | bool:
    from fieldapp.models.types import render_migration_item  # models import this module

    return render_migration_item(type_, obj, autogen_context)


migrate = Migrate(render_as_batch=True, compare_type=True, render_item=_render_item)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

SQLITE_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection (no-op elsewhere)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling breaks SAVEPOINTs (releasing one that opened the
    # transaction commits it): let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Open SQLite transactions ourselves: deferred for safe (read-only) requests, so readers
    never wait; IMMEDIATE otherwise, so a writer waits for the lock up front (busy_timeout)
    instead of failing when another writer commits between its read and its write."""
    if connection.dialect.name != "sqlite":
        return
    read_only = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
