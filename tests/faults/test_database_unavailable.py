"""The database unreachable for a moment: requests get 503 with Retry-After (JSON for the API and
the phone's sync, the plain page for people), nothing is half-written, and a retry succeeds."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import (
    Attachment,
    AuditEvent,
    Case,
    Customer,
    OutboxMessage,
    SyncAction,
    Unit,
)
from fieldapp.web.errors import MESSAGES, RETRY_AFTER_SECONDS
from tests import factories
from tests.api.conftest import AUTH, body
from tests.factories import image_b64, published_stop

UNAVAILABLE = {"error": "service_unavailable", "message": MESSAGES[503]}


def count(model) -> int:
    """Rows of `model`, read in a transaction that ends at once (SQLite writers never wait)."""
    rows = db.session.scalar(select(func.count()).select_from(model))
    db.session.commit()
    return rows


def assert_unavailable_json(answer) -> None:
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer.mimetype == "application/json"
    assert answer.get_json() == UNAVAILABLE


def sync(client, raw: dict):
    """POST one queued action like the phone's service worker does."""
    return client.post("/courier/sync", json=raw, headers={"Origin": "http://localhost"})


def photo_action(job) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "photo",
        "job_id": job.id,
        "device_at": "2026-11-24T15:04:05.000Z",
        "payload": {"purpose": "unit_condition", "data": image_b64()},
    }


def test_an_api_write_gets_503_while_the_database_is_down_and_201_after(client, api_key, outage):
    payload = body()
    outage.start()

    refused = client.post("/api/v1/cases", json=payload, headers=AUTH)

    assert_unavailable_json(refused)
    outage.end()
    assert count(Case) == 0
    created = client.post("/api/v1/cases", json=payload, headers=AUTH)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["case_number"] == payload["case_number"]
    assert count(Case) == 1


def test_a_connection_lost_mid_write_keeps_nothing_and_the_retry_is_whole(
    client, api_key, connection_lost
):
    payload = body()
    connection_lost.prefix = "INSERT INTO outbox_message"  # case, unit, audit already flushed

    refused = client.post("/api/v1/cases", json=payload, headers=AUTH)

    assert connection_lost.fired == 1
    assert_unavailable_json(refused)
    for model in (Case, Unit, Customer, AuditEvent, OutboxMessage):
        assert count(model) == 0, model.__name__
    created = client.post("/api/v1/cases", json=payload, headers=AUTH)
    assert created.status_code == 201, created.get_json()
    assert (count(Case), count(Unit), count(Customer)) == (1, 1, 1)
    assert count(OutboxMessage) >= 1


def test_a_page_gets_the_plain_503_page_and_works_after(client, login, outage):
    factories.user(Role.DISPATCHER, username="dora")
    login("dora")
    outage.start()

    refused = client.get("/cases/", headers={"Accept": "text/html"})

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"
    assert MESSAGES[503] in html and "Error 503" in html
    assert "Traceback" not in html and "OperationalError" not in html
    outage.end()
    page = client.get("/cases/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Error 503" not in page.get_data(as_text=True)


def test_healthz_says_unavailable_then_ok(client, outage):
    outage.start()
    down = client.get("/healthz")
    outage.end()
    up = client.get("/healthz")

    assert (down.status_code, down.get_json()) == (503, {"status": "unavailable"})
    assert (up.status_code, up.get_json()["status"]) == (200, "ok")
    assert up.get_json()["queue"]["oldest_waiting_seconds"] == 0


def test_a_sync_action_gets_503_json_so_the_phone_keeps_it_queued(client, login, outage):
    courier = factories.user(Role.COURIER, username="carlos")
    job = published_stop(courier)
    login("carlos")
    raw = photo_action(job)
    outage.start()

    refused = sync(client, raw)

    assert_unavailable_json(refused)  # not a final answer: outbox.js retries anything but 4xx
    outage.end()
    assert count(SyncAction) == 0
    applied = sync(client, raw)
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["ok"] is True and "replayed" not in applied.get_json()
    assert (count(SyncAction), count(Attachment)) == (1, 1)


def test_a_sync_cut_after_its_id_was_recorded_keeps_no_id_and_no_photo(
    client, login, connection_lost
):
    courier = factories.user(Role.COURIER, username="carlos")
    job = published_stop(courier)
    login("carlos")
    raw = photo_action(job)
    connection_lost.prefix = "INSERT INTO attachment"  # sync_action's row is already in

    refused = sync(client, raw)

    assert connection_lost.fired == 1
    assert_unavailable_json(refused)
    # A kept id would answer the retry with a stored answer it never had: nothing is kept.
    assert (count(SyncAction), count(Attachment)) == (0, 0)
    applied = sync(client, raw)
    assert applied.status_code == 200, applied.get_json()
    replayed = sync(client, raw)
    assert replayed.get_json()["replayed"] is True
    assert (count(SyncAction), count(Attachment)) == (1, 1)
