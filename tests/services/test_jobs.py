"""The life of a job: made from its case, published, arrived, closed or failed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Event, Origin, Status
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job
from fieldapp.services.cases import intake, visits
from fieldapp.services.cases.progress import apply_event
from tests import factories
from tests.factories import doa_case


def _evidence(job: Job, *photos: str, signature=True):
    for purpose in photos:
        factories.attachment(job, "photo", purpose)
    if signature:
        factories.attachment(job, "signature", "signature")
    job.checked_service_number = job.case.unit.service_number
    job.replacement_service_number = "C765432"
    job.refilled_cartridges = False
    job.signer_name, job.signer_document_id = "María Flores", "45678912"
    db.session.flush()


def test_a_doa_case_gets_one_pending_swap_job(app):
    case = doa_case(customer={"ubigeo": "150131"})
    job = visits.open_job(case)
    assert job.kind is JobKind.DOA_SWAP and job.status is JobStatus.PENDING
    assert (job.units_out, job.units_in) == (1, 1)
    assert job.due_at == case.deadlines[0].due_at
    assert job.ubigeo == "150131" and job.lat == pytest.approx(-12.1, abs=0.05)
    assert job.address == "Av. Arequipa 1234"
    assert visits.sync_for_case(case) is job  # no second job


def test_lima_warranty_needs_no_visit_but_provinces_does(app):
    assert visits.open_job(factories.case()) is None
    provinces = factories.case(customer={"ubigeo": "130101"})
    assert visits.open_job(provinces).kind is JobKind.PICKUP


def test_store_cases_are_visited_at_the_store(app):
    store = intake.StoreInput(name="Ripley Trujillo", ubigeo="130101", address="Av. X")
    case = doa_case(origin=Origin.STORE, store=store)
    job = visits.open_job(case)
    assert job.kind is JobKind.STORE_SWAP
    assert job.address == "Av. X" and job.ubigeo == "130101"


def test_publishing_schedules_the_case(app, courier):
    case = doa_case()
    route = factories.plan(visits.open_job(case), courier)
    visits.on_publish(route, courier)
    assert case.status is Status.SCHEDULED


def test_closing_needs_every_piece_of_evidence(app, courier):
    case = doa_case()
    job = visits.open_job(case)
    visits.on_publish(factories.plan(job, courier), courier)
    with pytest.raises(visits.JobError, match="Registre la llegada"):
        visits.complete(job, courier)
    visits.arrive(job, courier, lat=-12.1, lon=-77.03, accuracy_m=12)
    assert job.status is JobStatus.IN_PROGRESS and job.arrival_lat == -12.1
    with pytest.raises(visits.JobError) as info:
        visits.complete(job, courier)
    message = str(info.value)
    for part in ("número de servicio", "foto del comprobante", "firma", "DNI", "cartuchos"):
        assert part in message
    _evidence(job, "proof_of_purchase")
    outcome = visits.complete(job, courier)
    assert outcome.case_event is Event.SWAP
    assert job.status is JobStatus.DONE and case.status is Status.SWAPPED
    assert case.deadlines[0].done_at == job.completed_at
    assert visits.open_job(case) is None


def test_refilled_cartridges_void_the_case_and_close_the_stop(app, courier):
    case = factories.case(customer={"ubigeo": "130101"})
    job = visits.open_job(case)
    visits.on_publish(factories.plan(job, courier), courier)
    visits.arrive(job, courier)
    _evidence(job, "unit_condition")
    job.refilled_cartridges = True
    assert visits.complete(job, courier).case_event is Event.VOID
    assert case.status is Status.VOID and job.status is JobStatus.DONE


def test_a_failed_visit_goes_back_to_dispatch_as_a_new_attempt(app, courier):
    case = doa_case()
    job = visits.open_job(case)
    visits.on_publish(factories.plan(job, courier), courier)
    with pytest.raises(visits.JobError, match="motivo"):
        visits.fail(job, courier, None)
    with pytest.raises(visits.JobError, match="foto que pruebe"):
        visits.fail(job, courier, FailureReason.NOT_HOME)
    again = visits.fail(job, courier, FailureReason.REFUSED, note="No quiso recibir")
    assert job.status is JobStatus.FAILED and job.failure_reason is FailureReason.REFUSED
    assert case.status is Status.RECEIVED
    assert again.status is JobStatus.PENDING and again.attempt == 2 and again.id != job.id


def test_cancelling_a_case_cancels_its_visit(app, courier):
    case = doa_case()
    job = visits.open_job(case)
    apply_event(case, Event.CANCEL, courier)
    assert job.status is JobStatus.CANCELLED
    assert visits.open_job(case) is None


def test_a_repaired_provinces_unit_gets_a_return_job(app, courier):
    case = factories.case(customer={"ubigeo": "130101"})
    pickup = visits.open_job(case)
    pickup.status = JobStatus.DONE  # picked up by the courier
    for event in (Event.PICK_UP, Event.RECEIVE_UNIT, Event.REPAIR):
        apply_event(case, event, courier)
    job = visits.open_job(case)
    assert job.kind is JobKind.RETURN and (job.units_out, job.units_in) == (1, 0)
    assert job.due_at == next(d.due_at for d in case.deadlines if d.name == "return")
    kinds = db.session.scalars(select(Job.kind).where(Job.case_id == case.id)).all()
    assert kinds == [JobKind.PICKUP, JobKind.RETURN]
