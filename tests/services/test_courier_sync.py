"""The courier's queued actions: applied once per client id, refusals explained, DOA end to end."""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import Attachment, AuditEvent, Route, SyncAction
from fieldapp.services.cases import visits
from fieldapp.services.courier import stop_actions, sync
from tests import factories
from tests.factories import doa_actions, image_b64, published_stop, stock_unit
from tests.factories import sync_action as action


def test_a_doa_swap_completes_through_queued_actions(app, courier):
    job = published_stop(courier)
    stock_unit()
    for raw in doa_actions(job):
        answer = sync.apply(courier, raw)
        assert answer.status == 200, answer.body
    db.session.commit()
    assert job.status is JobStatus.DONE and job.case.status is Status.SWAPPED
    assert job.arrival_lat == -12.1 and job.device_arrived_at.year == 2026
    assert job.replacement_service_number == "C765432"
    assert job.signer_document_id == "45678912"
    photo = db.session.scalar(select(Attachment).where(Attachment.purpose == "proof_of_purchase"))
    assert photo.content_type == "image/jpeg" and photo.uploaded_by_id == courier.id
    assert media.read(photo.sha256, photo.content_type)[:2] == b"\xff\xd8"


def test_a_replayed_action_is_applied_once_and_answered_the_same(app, courier):
    job = published_stop(courier)
    photo = action(job, "photo", purpose="unit_condition", data=image_b64())
    first = sync.apply(courier, photo)
    again = sync.apply(courier, photo)
    db.session.commit()
    assert first.status == again.status == 200
    assert again.body["attachment_id"] == first.body["attachment_id"] and again.body["replayed"]
    assert db.session.scalar(select(func.count(Attachment.id))) == 1
    assert db.session.scalar(select(func.count(SyncAction.id))) == 1


def test_a_refusal_is_kept_as_the_first_answer(app, courier):
    job = published_stop(courier)
    wrong = action(job, "check_number", service_number="T000001", replacement="C765432")
    first = sync.apply(courier, wrong)
    assert first.status == 422 and "no coincide con el del caso" in first.body["message"]
    assert sync.apply(courier, wrong).status == 422
    assert job.checked_service_number is None


def test_the_replacement_must_come_from_stock(app, courier):
    job = published_stop(courier)
    number = job.case.unit.service_number
    answer = sync.apply(
        courier, action(job, "check_number", service_number=number, replacement="C111111")
    )
    assert answer.status == 422 and "no figura en el stock" in answer.body["message"]


def test_closing_without_evidence_says_what_is_missing(app, courier):
    job = published_stop(courier)
    sync.apply(courier, action(job, "arrive"))
    answer = sync.apply(courier, action(job, "complete"))
    assert answer.status == 422
    assert "foto del comprobante" in answer.body["message"] and "firma" in answer.body["message"]
    assert job.status is JobStatus.IN_PROGRESS


def test_another_couriers_stop_is_not_found(app, courier):
    other = factories.user(Role.COURIER)
    job = published_stop(other)
    answer = sync.apply(courier, action(job, "arrive"))
    assert answer.status == 404 and job.arrived_at is None


def test_an_unpublished_route_is_not_found(app, courier):
    job = published_stop(courier)
    db.session.get(Route, job.route_id).published_at = None
    db.session.commit()
    assert sync.apply(courier, action(job, "arrive")).status == 404


def test_a_stop_closed_meanwhile_answers_409(app, courier):
    job = published_stop(courier)
    job.status = JobStatus.CANCELLED  # e.g. the case was cancelled at the Call Center
    db.session.commit()
    answer = sync.apply(courier, action(job, "arrive"))
    assert answer.status == 409 and "ya no está en curso" in answer.body["message"]


def test_a_failed_attempt_needs_its_photo_and_returns_the_case(app, courier):
    job = published_stop(courier)
    refused = sync.apply(courier, action(job, "fail", reason="not_home"))
    assert refused.status == 422 and "foto" in refused.body["message"]
    sync.apply(courier, action(job, "photo", purpose="failed_attempt", data=image_b64()))
    answer = sync.apply(courier, action(job, "fail", reason="not_home", note="Timbre"))
    assert answer.status == 200 and "vuelve a despacho" in answer.body["message"]
    assert job.status is JobStatus.FAILED and job.case.status is Status.RECEIVED
    assert visits.open_job(job.case).attempt == 2


def test_a_bad_envelope_lists_its_fields(app, courier):
    answer = sync.apply(courier, {"id": "x", "type": "dance", "job_id": "1"})
    assert answer.status == 400 and set(answer.body["errors"]) == {"id", "type", "job_id"}


def test_a_file_that_is_not_an_image_is_refused(app, courier):
    job = published_stop(courier)
    data = base64.b64encode(b"%PDF-1.7 not a photo").decode()
    answer = sync.apply(courier, action(job, "photo", purpose="unit_condition", data=data))
    assert answer.status == 422 and "no es una imagen" in answer.body["message"]
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_the_same_id_from_another_user_is_refused(app, courier):
    job = published_stop(courier)
    raw = action(job, "arrive")
    sync.apply(courier, raw)
    other = factories.user(Role.COURIER)
    assert sync.apply(other, raw).status == 409


def test_photos_per_stop_are_capped(app, courier):
    job = published_stop(courier)
    sync.apply(courier, action(job, "arrive", lat=-12.1, lon=-77.03, accuracy_m=15))
    photo = image_b64(size=(64, 48))
    for _ in range(stop_actions.MAX_PHOTOS_PER_JOB):
        answer = sync.apply(courier, action(job, "photo", purpose="unit_condition", data=photo))
        assert answer.status == 200, answer.body
    answer = sync.apply(courier, action(job, "photo", purpose="unit_condition", data=photo))
    assert answer.status == 422 and "fotos" in answer.body["message"]
    db.session.commit()
    stored = db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.job_id == job.id)
    )
    assert stored == stop_actions.MAX_PHOTOS_PER_JOB


def test_the_audit_trail_and_the_api_keep_no_signer_name_or_dni(app, client, courier):
    job = published_stop(courier)
    stock_unit()
    for raw in doa_actions(job):
        assert sync.apply(courier, raw).status == 200
    db.session.commit()
    notes = " ".join(n or "" for n in db.session.scalars(select(AuditEvent.note)).all())
    assert "María Flores" not in notes and "45678912" not in notes
    signature = db.session.scalar(
        select(Attachment).where(Attachment.job_id == job.id, Attachment.kind == "signature")
    )
    assert f"Firma registrada (adjunto {signature.id})" in notes
    factories.api_client("audit-test-key-0123456789abcdefghij")
    answer = client.get(
        f"/api/v1/cases/{job.case.case_number}",
        headers={"Authorization": "Bearer audit-test-key-0123456789abcdefghij"},
    )
    assert answer.status_code == 200 and answer.get_json()["timeline"]
    assert "María Flores" not in answer.get_data(as_text=True)
    assert "45678912" not in answer.get_data(as_text=True)
