"""Stored files (photos, signatures, issued documents): named by the server from the content's
SHA-256, so a name never comes from the user, and written once.

They live behind a small store interface (`MediaStore`: store/read/exists/delete/iter_keys)
with two backends chosen by FIELDAPP_MEDIA_URL: a folder outside the web root (`file://`, the
default, MEDIA_ROOT) or an S3-compatible bucket (`s3://`, see `media_s3`). Both use the same
keys, `ab/<sha256>.<ext>`, so a backup of one restores into the other.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Protocol

from flask import current_app

from fieldapp.config import MediaLocation, parse_media_url
from fieldapp.extensions import db
from fieldapp.models import Attachment
from fieldapp.models.attachment import EXTENSIONS, relative_name

CONTENT_TYPES = {ext: content_type for content_type, ext in EXTENSIONS.items()}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_EXTENSION_KEY = "fieldapp.media"


class MediaStore(Protocol):
    """Where stored files live, addressed by key (`relative_name`)."""

    def store(self, key: str, data: bytes, content_type: str) -> None:
        """Write `data` under `key` unless the key already exists (write once)."""

    def read(self, key: str) -> bytes:
        """The bytes under `key`.

        :raises FileNotFoundError: when there are none.
        """

    def exists(self, key: str) -> bool:
        """Whether something is stored under `key`."""

    def delete(self, key: str) -> bool:
        """Remove `key`; returns whether there was something to remove."""

    def iter_keys(self) -> Iterator[str]:
        """Every stored key, sorted."""


def is_key(key: str) -> bool:
    """Whether `key` is a plain relative name (no '..', '.', empty or hidden part)."""
    parts = PurePosixPath(key).parts
    return bool(
        parts
        and not key.startswith("/")
        and "\\" not in key
        and "\x00" not in key
        and not any(part.startswith(".") for part in parts)
        and "/".join(parts) == key
    )


def check_key(key: str) -> str:
    """`key` as given, when it is a plain relative name.

    :raises ValueError: for anything else.
    """
    if not is_key(key):
        raise ValueError(f"not a media key: {key[:80]!r}")
    return key


class FileSystemStore:
    """Files under a folder, one per key, written atomically (temp file, fsync, rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file that holds `key`.

        :raises ValueError: for a key that is not a plain relative name.
        """
        return self.root / check_key(key)

    def store(self, key: str, data: bytes, content_type: str) -> None:
        """Write once, atomically; an existing file is left as it is."""
        target = self.path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        """The file's bytes.

        :raises FileNotFoundError: when it is missing.
        """
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        """Whether the file is there."""
        return self.path(key).is_file()

    def delete(self, key: str) -> bool:
        """Unlink the file; False when it was not there."""
        path = self.path(key)
        if not path.is_file():
            return False
        path.unlink(missing_ok=True)
        return True

    def iter_keys(self) -> Iterator[str]:
        """Every stored file (not the half-written `.upload-*` temporaries)."""
        if not self.root.is_dir():
            return iter(())
        found = (
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file()
        )
        return iter(sorted(key for key in found if is_key(key)))


def open_store(location: MediaLocation) -> MediaStore:
    """The store a parsed FIELDAPP_MEDIA_URL describes."""
    if location.scheme == "s3":
        from fieldapp.infra.media_s3 import S3Store  # boto3 only when S3 is configured

        return S3Store.from_location(location)
    return FileSystemStore(Path(location.path))


def backend() -> MediaStore:
    """The current app's media store (made once per app and MEDIA_URL)."""
    url = current_app.config["MEDIA_URL"]
    cached = current_app.extensions.get(_EXTENSION_KEY)
    if cached is None or cached[0] != url:
        cached = (url, open_store(parse_media_url(url)))
        current_app.extensions[_EXTENSION_KEY] = cached
    return cached[1]


def content_type_of(key: str) -> str:
    """The content type a key's extension stands for."""
    return CONTENT_TYPES.get(key.rsplit(".", 1)[-1], DEFAULT_CONTENT_TYPE)


def store(data: bytes, content_type: str) -> str:
    """Store `data` once and return its SHA-256; storing it again is a no-op."""
    sha256 = hashlib.sha256(data).hexdigest()
    backend().store(relative_name(sha256, content_type), data, content_type)
    return sha256


def read(sha256: str, content_type: str) -> bytes:
    """The stored bytes.

    :raises FileNotFoundError: when the file is missing.
    """
    return backend().read(relative_name(sha256, content_type))


def exists(sha256: str, content_type: str) -> bool:
    """Whether the file is stored."""
    return backend().exists(relative_name(sha256, content_type))


def attach(
    clean, *, case_id: int, job_id: int | None, kind: str, purpose: str, user_id: int | None
) -> Attachment:
    """Store a cleaned upload (`uploads.CleanImage`) under its hash and record it on the case
    (and on the job, when it came from a stop)."""
    attachment = Attachment(
        case_id=case_id,
        job_id=job_id,
        kind=kind,
        purpose=purpose,
        sha256=store(clean.data, clean.content_type),
        content_type=clean.content_type,
        size_bytes=len(clean.data),
        width=clean.width,
        height=clean.height,
        uploaded_by_id=user_id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment
