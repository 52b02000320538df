"""Stored files are named by content and written once, atomically."""

from __future__ import annotations

import hashlib

from fieldapp.services import media


def test_store_names_files_by_hash_and_writes_once(app, tmp_path):
    data = b"\xff\xd8\xff fake jpeg"
    sha = media.store(data, "image/jpeg")
    assert sha == hashlib.sha256(data).hexdigest()
    path = media.path_for(sha, "image/jpeg")
    assert path == tmp_path / "media" / sha[:2] / f"{sha}.jpg"
    assert media.read(sha, "image/jpeg") == data
    before = path.stat().st_mtime_ns
    assert media.store(data, "image/jpeg") == sha
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left
