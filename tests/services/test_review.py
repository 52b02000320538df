"""Supervisor review: approve, reject and re-close, bulk approval of unflagged jobs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.review import Flag
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, AuditEvent, OutboxMessage
from fieldapp.services.cases import visits
from fieldapp.services.cases.visits import JobError
from fieldapp.services.supervisor import approval
from tests import factories
from tests.factories import close_job, doa_case


@pytest.fixture
def supervisor(app):
    return factories.user(Role.SUPERVISOR)


def test_queue_lists_done_jobs_oldest_first_with_evidence(app, courier):
    first = close_job(doa_case(), courier)
    second = close_job(doa_case(), courier, checked="T999999")
    items = approval.queue()
    assert [item.job for item in items] == [first, second]
    clean, flagged = items
    assert clean.review.clean and clean.signature is not None
    assert [p.purpose for p in clean.photos] == ["proof_of_purchase"]
    assert clean.distance_km == 0.0 and clean.review.deadline_met is True
    assert flagged.review.flags == (Flag.SERVICE_NUMBER_MISMATCH,)


def test_approve_closes_the_doa_case_notifies_and_audits(app, courier, supervisor):
    case = doa_case()
    job = close_job(case, courier)
    approval.approve(job, supervisor)
    assert job.status is JobStatus.APPROVED and job.reviewed_by_id == supervisor.id
    assert case.status is Status.CLOSED
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id)
    ).all()
    assert "job_approved" in actions and "close" in actions
    notices = db.session.scalars(
        select(OutboxMessage.notice).where(OutboxMessage.case_id == case.id)
    ).all()
    assert "swap_done" in notices
    assert approval.queue() == []


def test_approving_a_pickup_leaves_the_case_open(app, courier, supervisor):
    case = factories.case(customer={"ubigeo": "130101"})
    job = close_job(case, courier)
    approval.approve(job, supervisor)
    assert job.status is JobStatus.APPROVED and case.status is Status.PICKED_UP


def test_a_job_with_evidence_missing_cannot_be_approved(app, courier, supervisor):
    job = close_job(doa_case(), courier)
    db.session.execute(
        Attachment.__table__.delete().where(
            Attachment.job_id == job.id, Attachment.kind == "signature"
        )
    )
    item = approval.queue()[0]
    assert Flag.MISSING_EVIDENCE in item.review.flags and not item.review.approvable
    with pytest.raises(JobError, match="firma"):
        approval.approve(job, supervisor)
    assert job.status is JobStatus.DONE


def test_reject_needs_a_reason_then_courier_recloses_and_it_is_approved(app, courier, supervisor):
    case = doa_case()
    job = close_job(case, courier)
    with pytest.raises(JobError, match="motivo"):
        approval.reject(job, supervisor, "  ")
    approval.reject(job, supervisor, "La foto del comprobante no se lee")
    assert job.status is JobStatus.REJECTED
    assert job.rejection_reason == "La foto del comprobante no se lee"
    assert job.route_id is not None  # back to the courier, still on the route
    audit = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "job_rejected", AuditEvent.entity_id == job.id
        )
    )
    assert "no se lee" in audit.note and audit.actor_user_id == supervisor.id
    assert approval.queue() == []
    visits.complete(job, courier)  # the courier fixes it and closes again
    assert job.status is JobStatus.DONE and case.status is Status.SWAPPED
    approval.approve(job, supervisor)
    assert case.status is Status.CLOSED


def test_reject_to_dispatch_takes_the_job_off_its_route(app, courier, supervisor):
    job = close_job(doa_case(), courier)
    approval.reject(job, supervisor, "Visitar de nuevo", to_dispatch=True)
    assert job.status is JobStatus.REJECTED and job.route_id is None
    with pytest.raises(JobError, match="esperando aprobación"):
        approval.approve(job, supervisor)


def test_bulk_approve_takes_only_unflagged_jobs(app, courier, supervisor):
    clean = [close_job(doa_case(), courier) for _ in range(2)]
    far = close_job(doa_case(), courier, lat=-13.5, lon=-71.9)  # Cusco, not Lima
    skewed = close_job(doa_case(), courier, skew_minutes=25)
    approved = approval.bulk_approve(supervisor)
    assert set(approved) == set(clean)
    assert {item.job for item in approval.queue()} == {far, skewed}
    flags = {item.job: item.review.flags for item in approval.queue()}
    assert flags[far] == (Flag.FAR_FROM_DISTRICT,) and flags[skewed] == (Flag.CLOCK_SKEW,)
    bulk = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bulk_approve"))
    assert sorted(bulk.data["job_ids"]) == sorted(job.id for job in clean)


def test_approving_a_swap_moves_the_stock(app, courier, supervisor):
    from fieldapp.domain.stock import MovementKind, StockCategory, StockStatus
    from fieldapp.models import StockMovement, StockUnit
    from fieldapp.services.workshop import inventory

    new = inventory.receive_from_manufacturer(
        factories.programme(), "C765432", "ESP 5250", StockCategory.NEW, None
    )
    case = doa_case()
    job = close_job(case, courier)  # the courier handed over C765432
    approval.approve(job, supervisor)
    assert new.status is StockStatus.DELIVERED
    failed = db.session.scalar(
        select(StockUnit).where(StockUnit.service_number == case.unit.service_number)
    )
    assert failed.category is StockCategory.DOA_COLLECTED and failed.source_case_id == case.id
    kinds = set(db.session.scalars(select(StockMovement.kind)))
    assert {MovementKind.DELIVERED, MovementKind.DOA_COLLECTED} <= kinds
