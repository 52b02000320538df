"""Stored files are named by content and written once, atomically; the folder backend keeps
the layout `ab/<sha256>.<ext>` under MEDIA_ROOT and refuses keys that would leave it."""

from __future__ import annotations

import hashlib

import pytest

from fieldapp.infra import media


def test_store_names_files_by_hash_and_writes_once(app, tmp_path):
    data = b"\xff\xd8\xff fake jpeg"
    sha = media.store(data, "image/jpeg")
    assert sha == hashlib.sha256(data).hexdigest()
    store = media.backend()
    assert isinstance(store, media.FileSystemStore)
    path = store.path(media.relative_name(sha, "image/jpeg"))
    assert path == tmp_path / "media" / sha[:2] / f"{sha}.jpg"
    assert app.config["MEDIA_URL"] == (tmp_path / "media").as_uri()
    assert media.read(sha, "image/jpeg") == data
    before = path.stat().st_mtime_ns
    assert media.store(data, "image/jpeg") == sha
    assert path.stat().st_mtime_ns == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left


def test_keys_list_stored_files_only_and_delete_says_what_it_did(app, tmp_path):
    pdf = media.store(b"%PDF-1.7 one", "application/pdf")
    png = media.store(b"\x89PNG two", "image/png")
    store = media.backend()
    (tmp_path / "media" / pdf[:2] / ".upload-half").write_bytes(b"half-written")
    keys = list(store.iter_keys())
    assert keys == sorted([media.relative_name(pdf, "application/pdf"), f"{png[:2]}/{png}.png"])
    assert {media.content_type_of(key) for key in keys} == {"application/pdf", "image/png"}
    assert media.content_type_of("ab/odd.bin") == "application/octet-stream"
    assert store.delete(media.relative_name(png, "image/png")) is True
    assert store.delete(media.relative_name(png, "image/png")) is False
    assert not media.exists(png, "image/png") and media.exists(pdf, "application/pdf")
    with pytest.raises(FileNotFoundError):
        media.read(png, "image/png")


@pytest.mark.parametrize(
    "key", ["../outside.jpg", "/etc/passwd", "ab/../../x.pdf", "ab//x.pdf", ".hidden", "a\\b", ""]
)
def test_keys_that_would_leave_the_folder_are_refused(app, key):
    assert not media.is_key(key)
    with pytest.raises(ValueError, match="not a media key"):
        media.backend().store(key, b"x", "image/jpeg")
