"""Backups taken while the app keeps writing restore into a fresh instance intact; a tampered
backup, a backup of another engine or a non-empty target is refused."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import Attachment, Case
from fieldapp.ops import backup
from tests import factories
from tests.conftest import drop_postgres_database, make_app, new_postgres_database, on_postgres

pytestmark = pytest.mark.skipif(
    on_postgres() and not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump/pg_restore are not installed",
)


def case_with_photo() -> Case:
    """A case and a stored photo of it (random bytes, so each file is new)."""
    case = factories.case()
    data = b"\xff\xd8" + os.urandom(2048)
    sha256 = media.store(data, "image/jpeg")
    db.session.add(
        Attachment(
            case_id=case.id,
            kind="photo",
            purpose="unit_condition",
            sha256=sha256,
            content_type="image/jpeg",
            size_bytes=len(data),
        )
    )
    db.session.commit()
    return case


def writer(app, stop: threading.Event, made: list[str], errors: list[Exception]) -> None:
    """Keep opening cases with photos, in an app context of its own, until told to stop."""
    with app.app_context():
        try:
            while not stop.is_set():
                made.append(case_with_photo().case_number)
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            db.session.remove()


def wait_for(made: list[str], count: int, errors: list[Exception]) -> None:
    for _ in range(600):
        assert not errors, errors
        if len(made) >= count:
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"the writer made only {len(made)} cases")


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def media_sums() -> dict[str, str]:
    """SHA-256 of every file in the app's media store, by key."""
    store = media.backend()
    return {key: hashlib.sha256(store.read(key)).hexdigest() for key in store.iter_keys()}


@pytest.fixture
def fresh_overrides() -> dict:
    """Settings of the fresh instance (the S3 tests give it a bucket of its own)."""
    return {}


@pytest.fixture
def fresh_app(tmp_path, fresh_overrides):
    """Another instance: a new empty database and a new media folder."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    url = new_postgres_database() if on_postgres() else folder / "fresh.db"
    application = make_app(url, folder, **fresh_overrides)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if on_postgres():
        drop_postgres_database(url)


def test_a_backup_taken_during_writes_restores_everything_that_existed(
    app, runner, tmp_path, fresh_app
):
    factories.programme()
    for _ in range(3):
        case_with_photo()
    stop, made, errors = threading.Event(), [], []
    thread = threading.Thread(target=writer, args=(app, stop, made, errors))
    thread.start()
    try:
        wait_for(made, 2, errors)
        db.session.commit()  # a fresh snapshot: what exists as the backup starts
        before_counts = table_counts()
        before_cases = set(db.session.scalars(select(Case.case_number)))
        before_media = media_sums()
        db.session.commit()  # tests' transactions take SQLite's write lock: let the writer on
        result = runner.invoke(args=["backup", str(tmp_path / "copia")])
        during = len(made)
        wait_for(made, during + 2, errors)  # the writer went on during and after the backup
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Copia de seguridad en" in result.output and "archivos de medios" in result.output
    manifest = json.loads((tmp_path / "copia" / "manifest.json").read_text())
    assert manifest["engine"] == db.engine.url.get_backend_name()
    assert all(manifest["counts"][name] >= count for name, count in before_counts.items())
    db.session.commit()
    final = db.session.scalar(select(func.count(Case.id)))
    db.session.commit()
    assert len(before_cases) <= manifest["counts"]["warranty_case"] < final  # a mid-write copy

    with fresh_app.app_context():  # the CLI runs in the current app context when there is one
        restored = fresh_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "copia")])
        assert restored.exit_code == 0, restored.output
        assert "Restaurada la copia" in restored.output
        counts = table_counts()
        assert counts == manifest["counts"]
        assert all(counts[name] >= count for name, count in before_counts.items())
        assert before_cases <= set(db.session.scalars(select(Case.case_number)))
        restored_media = media_sums()
        for name, sha256 in before_media.items():
            assert restored_media.get(name) == sha256, name
        for photo in db.session.scalars(select(Attachment)):
            data = media.read(photo.sha256, photo.content_type)
            assert hashlib.sha256(data).hexdigest() == photo.sha256
        db.session.remove()


@pytest.fixture
def copy(app, tmp_path) -> Path:
    """A finished backup of a database with two cases and their photos."""
    factories.programme()
    case_with_photo()
    case_with_photo()
    backup.create(tmp_path / "copia")
    return tmp_path / "copia"


def test_a_backup_is_readable_by_its_owner_only(copy):
    assert stat.S_IMODE(copy.stat().st_mode) == 0o700
    inside = list(copy.rglob("*"))
    assert any(p.is_dir() for p in inside) and any(p.name == "manifest.json" for p in inside)
    for path in inside:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_a_tampered_media_file_is_refused_and_nothing_is_restored(copy, fresh_app):
    photo = next((copy / "media").rglob("*.jpg"))
    data = photo.read_bytes()
    photo.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # always a different last byte
    with fresh_app.app_context():
        result = fresh_app.test_cli_runner().invoke(args=["restore", str(copy)])
        assert result.exit_code == 1
        assert "Copia alterada" in result.output and photo.name in result.output
        assert backup.database_is_empty()
        assert list(media.backend().iter_keys()) == []
        db.session.remove()


def test_a_tampered_database_or_an_added_file_is_refused(copy, fresh_app):
    database = next(copy.glob("database.*"))
    original = database.read_bytes()
    database.write_bytes(original + b"\x00")
    with fresh_app.app_context():
        with pytest.raises(backup.BackupError, match=f"Copia alterada: {database.name}"):
            backup.restore(copy)
        database.write_bytes(original)
        (copy / "media" / "extra.jpg").write_bytes(b"\xff\xd8")
        with pytest.raises(backup.BackupError, match="extra.jpg no figura en el manifiesto"):
            backup.restore(copy)
        (copy / "manifest.json").unlink()
        with pytest.raises(backup.BackupError, match="falta manifest.json"):
            backup.restore(copy)
        db.session.remove()


def test_a_database_with_data_is_only_replaced_with_force(copy, runner):
    factories.case()
    db.session.commit()
    refused = runner.invoke(args=["restore", str(copy)])
    assert refused.exit_code == 1 and "use --force" in refused.output
    assert db.session.scalar(select(func.count(Case.id))) == 3
    forced = runner.invoke(args=["restore", "--force", str(copy)])
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    assert db.session.scalar(select(func.count(Case.id))) == 2


def test_a_backup_needs_an_empty_folder(app, runner, tmp_path):
    (tmp_path / "ocupada").mkdir()
    (tmp_path / "ocupada" / "algo.txt").write_text("x")
    result = runner.invoke(args=["backup", str(tmp_path / "ocupada")])
    assert result.exit_code == 1 and "no está vacía" in result.output


def test_a_missing_pg_dump_is_named(app, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda _tool: None)
    if not on_postgres():
        monkeypatch.setattr(backup, "engine_name", lambda: "postgresql")
    with pytest.raises(backup.BackupError, match="No se encontró pg_dump"):
        backup.create(tmp_path / "copia")
