"""Stored files (photos, signatures, issued documents): kept outside the web root under names
the server makes from the content's SHA-256, so a name never comes from the user."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app

from fieldapp.extensions import db
from fieldapp.models import Attachment

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def root() -> Path:
    """The media folder (FIELDAPP_MEDIA_ROOT, default instance/media)."""
    return Path(current_app.config["MEDIA_ROOT"])


def relative_name(sha256: str, content_type: str) -> str:
    """Where a file with this hash and type lives under the media root."""
    return f"{sha256[:2]}/{sha256}.{EXTENSIONS.get(content_type, 'bin')}"


def path_for(sha256: str, content_type: str) -> Path:
    """The absolute path of a stored file."""
    return root() / relative_name(sha256, content_type)


def store(data: bytes, content_type: str) -> str:
    """Write `data` once (atomically) and return its SHA-256; storing it again is a no-op."""
    sha256 = hashlib.sha256(data).hexdigest()
    target = path_for(sha256, content_type)
    if target.exists():
        return sha256
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
    return sha256


def read(sha256: str, content_type: str) -> bytes:
    """The stored bytes.

    :raises FileNotFoundError: when the file is missing.
    """
    return path_for(sha256, content_type).read_bytes()


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
