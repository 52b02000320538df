"""Backups of the database and the media files, with a manifest of SHA-256 sums, and restores
that check every sum before touching anything.

A backup folder holds `database.sqlite3` (SQLite's online backup API: a consistent copy while
writes go on) or `database.dump` (`pg_dump --format=custom`), a `media/` copy of every file of
the media store (a folder or an S3 bucket: read and written through `media.backend()`, by key)
and `manifest.json` (written last: a folder without it is an unfinished backup). The media are
copied after the database snapshot, so every file a backed-up row names is in the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, inspect, literal, select, text
from sqlalchemy.engine import URL, Connection

from fieldapp.extensions import db
from fieldapp.infra import media

MANIFEST = "manifest.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead; the message says why, in Spanish."""


@dataclass
class Manifest:
    """What a backup holds: engine, database file, SHA-256 of every file, rows per table."""

    engine: str
    database_file: str
    created_at: str
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    alembic_revision: str | None = None

    def to_json(self) -> str:
        """The manifest as stored in manifest.json."""
        return json.dumps(
            {
                "format": FORMAT,
                "engine": self.engine,
                "database_file": self.database_file,
                "created_at": self.created_at,
                "alembic_revision": self.alembic_revision,
                "counts": self.counts,
                "files": self.files,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read `folder`/manifest.json.

        :raises BackupError: when it is missing or not a manifest this version understands.
        """
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} no es una copia de seguridad completa: falta {MANIFEST}.")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT:
                raise BackupError(f"Formato de copia desconocido: {raw.get('format')!r}.")
            return cls(
                engine=raw["engine"],
                database_file=raw["database_file"],
                created_at=raw["created_at"],
                files=dict(raw["files"]),
                counts={k: int(v) for k, v in raw["counts"].items()},
                alembic_revision=raw.get("alembic_revision"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"{MANIFEST} está dañado: {exc}") from exc

    @property
    def media_files(self) -> int:
        """How many media files the backup holds."""
        return sum(1 for name in self.files if name.startswith(f"{MEDIA_DIR}/"))


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def engine_name() -> str:
    """`sqlite` or `postgresql`: the engine of the app's database.

    :raises BackupError: for any other engine.
    """
    name = db.engine.url.get_backend_name()
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(f"Motor de base de datos no soportado para copias: {name}.")
    return name


def _tables() -> list[str]:
    """The app's table names, parents first."""
    return [table.name for table in db.metadata.sorted_tables]


def _count_rows(connection: Connection) -> dict[str, int]:
    """Rows per table of the app, read on `connection` (inside its snapshot)."""
    return {
        table.name: connection.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _revision(connection: Connection) -> str | None:
    """The Alembic revision of the database on `connection` (None without one)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _sqlite_path() -> Path:
    """The app's SQLite file.

    :raises BackupError: for an in-memory database.
    """
    name = db.engine.url.database
    if not name or name == ":memory:":
        raise BackupError("Una base de datos SQLite en memoria no se puede copiar.")
    return Path(name)


def _pg_command(tool: str) -> str:
    """The path of pg_dump / pg_restore.

    :raises BackupError: when the tool is not installed.
    """
    found = shutil.which(tool)
    if found is None:
        raise BackupError(
            f"No se encontró {tool}: instale el cliente de PostgreSQL "
            f"(Debian/Ubuntu: apt-get install postgresql-client) con la misma versión del servidor."
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment that carries it."""
    plain = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    """Run a PostgreSQL client tool.

    :raises BackupError: with the tool's own error text when it fails.
    """
    # A list (no shell), the tool found by shutil.which, arguments made here: nothing untrusted.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} falló (código {done.returncode}): {done.stderr.strip()}")


def _dump_sqlite(target: Path) -> tuple[dict[str, int], str | None]:
    """Copy the live SQLite database in one step (a consistent snapshot); count its rows."""
    source = sqlite3.connect(_sqlite_path())
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: the whole database under one read lock
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        counts = {
            # Table names come from the app's own metadata, never from input.
            name: copy.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in _tables()
        }
        has_version = copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        revision = None
        if has_version:
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        source.close()
        copy.close()
    return counts, revision


def _dump_postgres(target: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump inside a snapshot exported by a repeatable-read transaction that also counts
    the rows, so the counts describe exactly what was dumped."""
    pg_dump = _pg_command("pg_dump")
    url, env = _libpq(db.engine.url)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        counts, revision = _count_rows(connection), _revision(connection)
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", url]
        _run(command, env, "pg_dump")
    # Closing the connection ends the read-only snapshot (nothing was written to keep).
    return counts, revision


def _copy_media_out(folder: Path) -> None:
    """Every stored file, read through the media store, into `folder`/media/<key>."""
    store = media.backend()
    for key in store.iter_keys():
        copy = folder / MEDIA_DIR / key
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            copy.write_bytes(store.read(key))
        except FileNotFoundError:
            continue  # deleted since it was listed (an anonymisation): no row names it any more


def _copy_media_in(folder: Path, manifest: Manifest) -> None:
    """Every media file of a verified backup written into the media store; a file already
    there is kept when it holds the same bytes, else replaced (the store writes only once)."""
    store = media.backend()
    for name, sha256 in sorted(manifest.files.items()):
        if not name.startswith(f"{MEDIA_DIR}/"):
            continue
        key = name.removeprefix(f"{MEDIA_DIR}/")
        if store.exists(key):
            if hashlib.sha256(store.read(key)).hexdigest() == sha256:
                continue
            store.delete(key)
        store.store(key, (folder / name).read_bytes(), media.content_type_of(key))


def create(folder: Path) -> Manifest:
    """Back up the database and the media store into `folder` (new or empty) with a manifest.

    :raises BackupError: when the folder is not empty, the engine is not supported or the
        dump tool fails or is missing.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"La carpeta {folder} no está vacía: elija una carpeta nueva.")
    engine = engine_name()
    # Owner only: a backup holds every customer's personal data. The folder is closed before
    # anything is written in it, and each file and folder is made owner-only at the end.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    database_file = SQLITE_FILE if engine == "sqlite" else PG_FILE
    started = datetime.now(UTC).isoformat(timespec="seconds")
    dump = _dump_sqlite if engine == "sqlite" else _dump_postgres
    counts, revision = dump(folder / database_file)
    # After the snapshot: every file a backed-up row names was stored before its row committed.
    _copy_media_out(folder)
    manifest = Manifest(engine, database_file, started, counts=counts, alembic_revision=revision)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        manifest.files[path.relative_to(folder).as_posix()] = sha256_of(path)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".manifest-")  # mkstemp makes it 0600
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(manifest.to_json())
    os.replace(temp, folder / MANIFEST)
    _owner_only(folder)
    return manifest


def _owner_only(folder: Path) -> None:
    """Folders 0700 and files 0600 under `folder` (whatever the umask made them)."""
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def verify(folder: Path) -> Manifest:
    """Check every file of a backup against its manifest, and that nothing was added.

    :raises BackupError: naming the first missing, altered or unexpected file.
    """
    folder = Path(folder)
    manifest = Manifest.load(folder)
    if manifest.database_file not in manifest.files:
        raise BackupError(f"El manifiesto no incluye la base de datos {manifest.database_file}.")
    for name, expected in sorted(manifest.files.items()):
        path = folder / name
        if ".." in Path(name).parts or not path.is_file():
            raise BackupError(f"Copia incompleta: falta {name}.")
        if name.startswith(f"{MEDIA_DIR}/") and not media.is_key(
            name.removeprefix(f"{MEDIA_DIR}/")
        ):
            raise BackupError(f"Copia alterada: {name} no es un nombre de archivo de medios.")
        if sha256_of(path) != expected:
            raise BackupError(
                f"Copia alterada: {name} no coincide con su SHA-256 del manifiesto. "
                "No se restaura nada."
            )
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    extra = sorted(present - set(manifest.files) - {MANIFEST})
    if extra:
        raise BackupError(f"Copia alterada: {extra[0]} no figura en el manifiesto.")
    return manifest


def database_is_empty() -> bool:
    """Whether no table of the app holds a row (or the schema does not exist yet)."""
    existing = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        for name in _tables():
            if name not in existing:
                continue
            table = db.metadata.tables[name]
            if connection.scalar(select(literal(1)).select_from(table).limit(1)) is not None:
                return False
    return True


def _restore_sqlite(source: Path) -> None:
    """Write the backed-up database over the app's file through SQLite's backup API (which
    also takes care of the WAL), after closing the app's pooled connections."""
    db.session.remove()
    db.engine.dispose()
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target)
    try:
        backup_db.backup(live)
    finally:
        backup_db.close()
        live.close()


def _restore_postgres(source: Path) -> None:
    """pg_restore --clean --if-exists in one transaction: all of it or nothing."""
    pg_restore = _pg_command("pg_restore")
    db.session.remove()
    db.engine.dispose()
    url, env = _libpq(db.engine.url)
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        f"--dbname={url}",
        str(source),
    ]
    _run(command, env, "pg_restore")


def restore(folder: Path, *, force: bool = False) -> Manifest:
    """Verify a backup, then put its database and media in place of the app's.

    :raises BackupError: for a tampered or incomplete backup, a backup of another engine, a
        database that already holds data (unless `force`), a missing or failing restore tool,
        or row counts that differ from the manifest afterwards.
    """
    folder = Path(folder)
    manifest = verify(folder)
    engine = engine_name()
    if manifest.engine != engine:
        raise BackupError(
            f"La copia es de {manifest.engine} y la base de datos actual es {engine}."
        )
    if not force and not database_is_empty():
        raise BackupError(
            "La base de datos de destino ya tiene datos: use --force para reemplazarlos."
        )
    source = folder / manifest.database_file
    (_restore_sqlite if engine == "sqlite" else _restore_postgres)(source)
    _copy_media_in(folder, manifest)
    with db.engine.connect() as connection:
        counts = _count_rows(connection)
    if counts != manifest.counts:
        raise BackupError(f"Restaurado con diferencias de filas: {counts} ≠ {manifest.counts}.")
    return manifest
