"""The audit log: append-only (no update or delete path), and each entry says who, when, what
and from which request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fieldapp.extensions import db
from fieldapp.models import ApiClient, AuditEvent, Case
from fieldapp.models.audit import AuditLogIsAppendOnly
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from tests import factories
from tests.api.conftest import API_KEY, body


@pytest.fixture
def event(app) -> AuditEvent:
    made = audit.record("created", entity="case", entity_id=None, actor=None, note="original")
    db.session.commit()
    return made


def test_an_audit_event_cannot_be_changed(event):
    event.note = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).note == "original"


def test_an_audit_event_cannot_be_deleted(event):
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def _api_client() -> ApiClient:
    return factories.api_client(API_KEY)


def _created_event(case_number: str) -> AuditEvent:
    case = db.session.scalar(select(Case).where(Case.case_number == case_number))
    return db.session.scalar(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "created")
    )


def test_a_request_writes_who_when_what_and_its_request_id(client):
    caller = _api_client()
    before = utcnow()
    response = client.post(
        "/api/v1/cases",
        json=body(),
        headers={"Authorization": f"Bearer {API_KEY}", "X-Request-ID": "cc-req-20261124-0001"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.headers["X-Request-ID"] == "cc-req-20261124-0001"
    event = _created_event(response.get_json()["case_number"])
    assert event.request_id == "cc-req-20261124-0001"
    assert event.actor_api_client_id == caller.id and event.actor_user_id is None
    assert event.entity == "case" and event.to_status == "received"
    assert before - timedelta(seconds=1) <= event.at <= utcnow()


def test_a_generated_request_id_is_the_one_answered_and_audited(client):
    _api_client()
    response = client.post(
        "/api/v1/cases", json=body(), headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert response.status_code == 201, response.get_json()
    answered = response.headers["X-Request-ID"]
    assert len(answered) == 32
    assert _created_event(response.get_json()["case_number"]).request_id == answered
