"""The schema comes from the migrations only, and they agree with the models."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from fieldapp.extensions import db
from fieldapp.models.types import render_migration_item
from tests.conftest import make_app, on_postgres


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_item": render_migration_item},
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_builds_every_table_and_downgrade_removes_them(fresh_database, tmp_path):
    app = make_app(fresh_database, tmp_path)
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []  # the factory never creates the schema
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


@pytest.mark.skipif(on_postgres(), reason="SQLite connection settings")
def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_the_security_review_migration_redacts_signers_in_audit_notes(fresh_database, tmp_path):
    app = make_app(fresh_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision="182f8ed8b1ad")  # the head before issue 13
        notes = {
            "job_signed": "Firmó María Flores (DNI 45678912)",
            "return_unit": "Recogido por José Pérez (DNI 12345678)",
            "schedule": "Visita el martes",
        }
        with db.engine.begin() as connection:
            for action, note in notes.items():
                connection.execute(
                    text(
                        "INSERT INTO audit_event (at, entity, action, note) "
                        "VALUES (CURRENT_TIMESTAMP, 'case', :action, :note)"
                    ),
                    {"action": action, "note": note},
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            kept = dict(connection.execute(text("SELECT action, note FROM audit_event")).all())
        assert kept == {
            "job_signed": "Firma registrada",
            "return_unit": "Recogido en mostrador con firma",
            "schedule": "Visita el martes",
        }
        db.engine.dispose()
