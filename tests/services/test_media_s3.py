"""Media on S3-compatible object storage (FIELDAPP_MEDIA_URL=s3://…), against a real S3 HTTP
server started here: moto's ThreadedMotoServer on a free loopback port. The server runs in a
thread of the test process, but the app reaches it only over HTTP (boto3 → 127.0.0.1), no mock
is switched on in boto3, and the tests read the bucket back with plain HTTP requests (presigned
URLs) that bypass the app."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.infra import media, pdf_render
from fieldapp.infra.media_s3 import S3Store
from fieldapp.models import Attachment, Case, DocType, Document
from fieldapp.services.documents import issuing
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.factories import doa_actions, png, published_stop, stock_unit
from tests.services.test_backup import case_with_photo, fresh_app, media_sums  # noqa: F401
from tests.services.test_backup import pytestmark as needs_pg_dump
from tests.services.test_privacy import delivered, ended  # noqa: F401
from tests.views.test_courier import post_sync

REGION = "us-east-1"
PREFIX = "fieldapp"


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server on 127.0.0.1 (port chosen by the OS), with test credentials
    in the standard AWS_* variables and no AWS config file of this machine in the way."""
    env = {
        "AWS_ACCESS_KEY_ID": "fieldapp-test",
        "AWS_SECRET_ACCESS_KEY": "fieldapp-test-secret",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


def new_bucket(endpoint: str) -> str:
    """An empty bucket of the test's own, made over HTTP."""
    name = f"fieldapp-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    client.create_bucket(Bucket=name)
    return name


def media_url(endpoint: str, bucket: str) -> str:
    return f"s3://{bucket}/{PREFIX}?endpoint_url={endpoint}&region={REGION}"


@pytest.fixture
def bucket(s3_endpoint) -> str:
    return new_bucket(s3_endpoint)


@pytest.fixture
def app_overrides(request, s3_endpoint, bucket) -> dict:
    """Every `app` of this module keeps its media in `bucket` under the prefix `fieldapp/`
    (a test parametrised with "folder" starts from the default media folder instead)."""
    if getattr(request, "param", "bucket") == "folder":
        return {}
    return {"MEDIA_URL": media_url(s3_endpoint, bucket)}


@pytest.fixture
def fresh_overrides(s3_endpoint) -> dict:
    """The instance a backup is restored into has a bucket of its own, empty."""
    return {"MEDIA_URL": media_url(s3_endpoint, new_bucket(s3_endpoint))}


def raw_get(endpoint: str, bucket: str, key: str) -> requests.Response:
    """An object fetched with plain HTTP past the app, by a URL presigned with the credentials
    (the objects are not public)."""
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": f"{PREFIX}/{key}"}, ExpiresIn=60
    )
    return requests.get(url, timeout=10)


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    found = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(item["Key"] for item in found)


def count_calls(store: S3Store, operation: str) -> list[str]:
    """A list that grows by one for every `operation` request the store's client sends."""
    calls: list[str] = []
    store.client.meta.events.register(
        f"before-call.s3.{operation}", lambda **kwargs: calls.append(operation)
    )
    return calls


def test_store_read_dedupe_and_delete_go_to_the_bucket(app, s3_endpoint, bucket, tmp_path):
    store = media.backend()
    assert isinstance(store, S3Store) and (store.bucket, store.prefix) == (bucket, PREFIX)
    puts = count_calls(store, "PutObject")
    data = b"\xff\xd8\xff a photo " + os.urandom(64)
    sha = media.store(data, "image/jpeg")
    key = media.relative_name(sha, "image/jpeg")
    assert sha == hashlib.sha256(data).hexdigest() and puts == ["PutObject"]
    over_http = raw_get(s3_endpoint, bucket, key)
    assert over_http.status_code == 200 and over_http.content == data
    assert over_http.headers["Content-Type"] == "image/jpeg"
    unsigned = requests.get(f"{s3_endpoint}/{bucket}/{PREFIX}/{key}", timeout=10)
    assert unsigned.status_code == 403  # private: nobody reads a photo without the keys
    assert media.store(data, "image/jpeg") == sha and puts == ["PutObject"]  # written once
    assert media.read(sha, "image/jpeg") == data and media.exists(sha, "image/jpeg")
    pdf = media.store(b"%PDF-1.7 other", "application/pdf")
    assert list(store.iter_keys()) == sorted([key, media.relative_name(pdf, "application/pdf")])
    assert bucket_keys(s3_endpoint, bucket) == sorted(
        f"{PREFIX}/{name}" for name in store.iter_keys()
    )
    assert store.delete(key) is True and store.delete(key) is False
    assert not media.exists(sha, "image/jpeg")
    assert raw_get(s3_endpoint, bucket, key).status_code == 404
    with pytest.raises(FileNotFoundError, match=key):
        media.read(sha, "image/jpeg")
    assert not (tmp_path / "media").exists()  # nothing went to the local disk


def test_a_courier_photo_upload_is_stored_in_the_bucket_and_served_back(
    client, login, courier, s3_endpoint, bucket
):
    job = published_stop(courier)
    login("carlos")
    sent = doa_actions(job)[2]  # the proof-of-purchase photo
    response = post_sync(client, sent)
    assert response.status_code == 200, response.get_json()
    photo = db.session.get(Attachment, response.get_json()["attachment_id"])
    in_bucket = raw_get(s3_endpoint, bucket, photo.storage_name)
    assert in_bucket.status_code == 200 and in_bucket.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(in_bucket.content).hexdigest() == photo.sha256
    served = client.get(f"/media/{photo.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == in_bucket.content


def test_a_delivery_note_is_issued_into_the_bucket_with_the_stored_signature(
    client, login, courier, s3_endpoint, bucket
):
    job = published_stop(courier)
    stock_unit()
    login("carlos")
    for raw in doa_actions(job):
        assert post_sync(client, raw).status_code == 200
    signature = db.session.scalar(
        select(Attachment).where(Attachment.job_id == job.id, Attachment.kind == "signature")
    )
    assert raw_get(s3_endpoint, bucket, signature.storage_name).status_code == 200
    assert issue_pending().failed == 0
    db.session.commit()
    note = db.session.scalar(select(Document).where(Document.doc_type == DocType.DOA_DELIVERY))
    in_bucket = raw_get(s3_endpoint, bucket, media.relative_name(note.sha256, "application/pdf"))
    assert in_bucket.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(in_bucket.content).hexdigest() == note.sha256

    downloaded = client.get(f"/documents/{note.id}.pdf")
    assert downloaded.status_code == 200 and downloaded.data == in_bucket.content
    reader = PdfReader(io.BytesIO(downloaded.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert note.number in text and "María Flores" in text
    sizes = [image.image.size for page in reader.pages for image in page.images]
    assert (signature.width, signature.height) in sizes  # fetched from the bucket by WeasyPrint


def test_the_pdf_fetcher_reads_stored_images_from_the_bucket(app):
    image = png()
    sha = media.store(image, "image/png")
    fetcher = pdf_render.fetcher()
    assert fetcher.store is media.backend()
    served = fetcher.fetch(pdf_render.media_url(sha, "image/png"))
    assert served.read() == image and served.content_type == "image/png"
    html = f'<p>Firma</p><img src="{pdf_render.media_url(sha, "image/png")}">'
    pdf = PdfReader(io.BytesIO(pdf_render.render_html(html, fetcher)))
    assert [img.image.size for img in pdf.pages[0].images] == [(240, 90)]
    missing = pdf_render.media_url("b" * 64, "image/png")
    with pytest.raises(pdf_render.FetchRefused, match="missing"):
        fetcher.fetch(missing)


def test_a_failing_bucket_stops_the_pdf_instead_of_leaving_the_signature_out(
    app, s3_endpoint, bucket
):
    sha = media.store(png(), "image/png")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.delete_object(Bucket=bucket, Key=f"{PREFIX}/{media.relative_name(sha, 'image/png')}")
    client.delete_bucket(Bucket=bucket)  # the store now answers NoSuchBucket, not a missing key
    html = f'<img src="{pdf_render.media_url(sha, "image/png")}">'
    with pytest.raises(pdf_render.MediaUnavailable, match="media store failed"):
        pdf_render.render_html(html)


@needs_pg_dump
@pytest.mark.parametrize("app_overrides", ["bucket", "folder"], indirect=True)
def test_backup_and_restore_round_trip_into_a_new_bucket(
    app,
    app_overrides,
    runner,
    tmp_path,
    bucket,
    fresh_app,  # noqa: F811
):
    source = media.backend()
    assert isinstance(source, S3Store if app_overrides else media.FileSystemStore)
    factories.programme()
    made = sorted(case_with_photo().case_number for _ in range(3))
    before = media_sums()
    assert len(before) == 3
    result = runner.invoke(args=["backup", str(tmp_path / "copia")])
    assert result.exit_code == 0, result.output
    assert "3 archivos de medios" in result.output
    manifest = json.loads((tmp_path / "copia" / "manifest.json").read_text())
    assert {name for name in manifest["files"] if name.startswith("media/")} == {
        f"media/{key}" for key in before
    }

    with fresh_app.app_context():
        restored_store = media.backend()
        assert isinstance(restored_store, S3Store) and restored_store.bucket != bucket
        assert list(restored_store.iter_keys()) == []
        restored = fresh_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "copia")])
        assert restored.exit_code == 0, restored.output
        assert "3 archivos de medios" in restored.output
        assert media_sums() == before
        assert sorted(db.session.scalars(select(Case.case_number))) == made
        for photo in db.session.scalars(select(Attachment)):
            data = media.read(photo.sha256, photo.content_type)
            assert hashlib.sha256(data).hexdigest() == photo.sha256
        db.session.remove()


def test_anonymising_deletes_the_personal_files_from_the_bucket(
    delivered,  # noqa: F811
    runner,
    s3_endpoint,
    bucket,
):
    personal = db.session.scalars(
        select(Attachment).where(Attachment.case_id == delivered.id, Attachment.kind != "document")
    ).all()
    keys = [a.storage_name for a in personal]
    note = db.session.scalar(select(Document).where(Document.case_id == delivered.id))
    assert len(keys) == 2 and all(raw_get(s3_endpoint, bucket, k).status_code == 200 for k in keys)
    ended(delivered, days=2000)

    result = runner.invoke(args=["anonymise-customers", "--older-than-days", "1825"])

    assert result.exit_code == 0, result.output
    assert "clientes anonimizados 1" in result.output
    assert all(raw_get(s3_endpoint, bucket, k).status_code == 404 for k in keys)
    assert f"{PREFIX}/{media.relative_name(note.sha256, 'application/pdf')}" in bucket_keys(
        s3_endpoint, bucket
    )  # the issued document stays, as the legal record
    assert issuing.pdf_bytes(note).startswith(b"%PDF")


def test_keys_outside_the_prefix_or_malformed_are_not_listed(app, s3_endpoint, bucket):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    for key in ("other-app/ab/x.jpg", f"{PREFIX}/folder/", f"{PREFIX}/ab/.hidden"):
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    sha = media.store(b"%PDF-1.7 only this", "application/pdf")
    assert list(media.backend().iter_keys()) == [media.relative_name(sha, "application/pdf")]
    with pytest.raises(ValueError, match="not a media key"):
        media.backend().read("../other-app/ab/x.jpg")


def test_the_s3_url_of_the_app_is_parsed_into_the_client(app, s3_endpoint):
    store = media.backend()
    assert store.client.meta.endpoint_url == s3_endpoint
    assert store.client.meta.region_name == REGION
    assert store.client.meta.config.s3["addressing_style"] == "path"
    assert media.backend() is store  # one client per app
    assert Path(app.config["MEDIA_ROOT"]).name == "media"  # unused while the URL is s3://
