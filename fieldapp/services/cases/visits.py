"""The life of a job (a visit): made from its case, planned on a route, worked by the courier,
closed or failed. Each step moves the case through its flow table as well."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from fieldapp.domain import case_flow, jobs
from fieldapp.domain.case_flow import Event
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import LOAD, OPEN_JOB, FailureReason, JobKind, JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Attachment, Case, Job, Route, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.documents import requests
from fieldapp.services.notifications import outbox

# Case event when a job of this kind is closed as done.
DONE_EVENT = {
    JobKind.DOA_SWAP: Event.SWAP,
    JobKind.STORE_SWAP: Event.SWAP,
    JobKind.PICKUP: Event.PICK_UP,
    JobKind.STORE_PICKUP: Event.PICK_UP,
    JobKind.RETURN: Event.RETURN_UNIT,
}
# Which deadline a job of this kind races against.
DEADLINE_FOR = {
    JobKind.DOA_SWAP: "swap",
    JobKind.STORE_SWAP: "swap",
    JobKind.PICKUP: "pickup",
    JobKind.STORE_PICKUP: "pickup",
    JobKind.RETURN: "return",
}
SERVICE_MINUTES = {
    JobKind.DOA_SWAP: 20,
    JobKind.STORE_SWAP: 20,
    JobKind.PICKUP: 15,
    JobKind.STORE_PICKUP: 15,
    JobKind.RETURN: 15,
}


class JobError(ValueError):
    """A job cannot do what was asked (message in Spanish)."""


def open_job(case: Case) -> Job | None:
    """The case's job still to be done, if any."""
    stmt = select(Job).where(Job.case_id == case.id, Job.status.in_(OPEN_JOB))
    return db.session.scalar(stmt.order_by(Job.id.desc()))


def sync_for_case(case: Case, now: datetime | None = None) -> Job | None:
    """Give the case the job its state needs (one at a time), and cancel jobs it no longer
    needs (a cancelled or voided case). Returns the open job."""
    current = open_job(case)
    kind = jobs.job_needed(case.flow, case.status)
    if current is not None and current.kind != kind:
        _set_status(current, JobStatus.CANCELLED, None, "El caso ya no necesita esta visita.")
        current = None
    if kind is None or current is not None:
        return current
    attempts = db.session.scalar(
        select(Job.attempt)
        .where(Job.case_id == case.id, Job.kind == kind)
        .order_by(Job.attempt.desc())
    )
    job = Job(case=case, kind=kind, attempt=(attempts or 0) + 1, **_place(case))
    job.due_at = _due(case, kind, now or utcnow())
    job.service_minutes = SERVICE_MINUTES[kind]
    job.units_out, job.units_in = LOAD[kind]
    db.session.add(job)
    db.session.flush()
    return job


def _place(case: Case) -> dict:
    """Where the visit happens: the store for store flows, else the customer; a point captured
    on an earlier visit beats the district's gazetteer point."""
    party = case.store if case.store is not None and "store" in case.flow.value else case.customer
    district = Gazetteer.default().require(case.ubigeo)
    lat = party.lat if party.lat is not None else district.lat
    lon = party.lon if party.lon is not None else district.lon
    return {"address": party.address, "ubigeo": case.ubigeo, "lat": lat, "lon": lon}


def _due(case: Case, kind: JobKind, now: datetime) -> datetime:
    name = DEADLINE_FOR[kind]
    for deadline in case.deadlines:
        if deadline.name == name and deadline.done_at is None:
            return deadline.due_at
    return now + timedelta(days=1)


def _set_status(job: Job, status: JobStatus, actor: User | None, note: str | None) -> None:
    previous = job.status
    job.status = status
    audit.record(
        f"job_{status.value}",
        entity="job",
        entity_id=job.id,
        case_id=job.case_id,
        actor=actor,
        from_status=previous.value,
        to_status=status.value,
        note=note,
    )


def _case_event(
    case: Case, event: Event, actor: User | None, note: str | None = None, at=None
) -> None:
    """Apply `event` to the case when its flow allows it now; otherwise leave the case as is."""
    from fieldapp.services.cases.progress import apply_event  # case_flow syncs jobs after events

    if event in case_flow.allowed_events(case.flow, case.status):
        apply_event(case, event, actor, note=note, at=at)


def on_publish(route: Route, actor: User | None) -> None:
    """A published route schedules its cases (a return counts as dispatched)."""
    for job in route.jobs:
        if job.status is not JobStatus.PLANNED:
            continue
        on_scheduled(job, actor, f"Ruta del {route.day:%d/%m/%Y}")
    requests.on_route_published(route)


def on_scheduled(job: Job, actor: User | None, note: str) -> None:
    """A job given to a courier's published route or to a carrier schedules its case (a
    return counts as dispatched)."""
    event = Event.DISPATCH_RETURN if job.kind is JobKind.RETURN else Event.SCHEDULE
    _case_event(job.case, event, actor, note=note)


def on_unplan(job: Job, actor: User | None) -> None:
    """A job taken off a published route gives its case back to dispatch."""
    event = Event.RETURN_FAILED if job.kind is JobKind.RETURN else Event.UNSCHEDULE
    _case_event(job.case, event, actor, note="Retirado de la ruta")


def arrive(
    job: Job,
    actor: User,
    *,
    at: datetime | None = None,
    device_at: datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
) -> None:
    """Record the courier's arrival (server time, phone time and position when given).

    :raises JobError: when the job is not on the courier's way.
    """
    if job.status not in (JobStatus.PLANNED, JobStatus.IN_PROGRESS):
        raise JobError("Esta parada no está en curso.")
    job.arrived_at = job.arrived_at or at or utcnow()
    job.device_arrived_at = job.device_arrived_at or device_at
    if lat is not None and lon is not None:
        job.arrival_lat, job.arrival_lon, job.arrival_accuracy_m = lat, lon, accuracy_m
    if job.status is JobStatus.PLANNED:
        _set_status(job, JobStatus.IN_PROGRESS, actor, None)


def evidence_of(job: Job) -> jobs.Evidence:
    """The facts recorded for `job` so far."""
    photos = db.session.scalars(
        select(Attachment.purpose).where(Attachment.job_id == job.id, Attachment.kind == "photo")
    )
    signed = db.session.scalar(
        select(Attachment.id).where(Attachment.job_id == job.id, Attachment.kind == "signature")
    )
    carrier = None
    if job.mode is JobMode.CARRIER:
        from fieldapp.services.dispatch.carrier_shipments import facts_of  # shipments build on jobs

        carrier = tuple(facts_of(job))
    return jobs.Evidence(
        carrier=carrier,
        arrived=job.arrived_at is not None,
        checked_service_number=job.checked_service_number,
        replacement_service_number=job.replacement_service_number,
        photos=frozenset(str(p) for p in photos),
        signature=signed is not None,
        signer_name=job.signer_name,
        signer_document_id=job.signer_document_id,
        refilled_answered=job.refilled_cartridges is not None,
    )


@dataclass(frozen=True)
class Outcome:
    """What closing a stop did to its case."""

    job: Job
    case_event: Event | None


def complete(
    job: Job, actor: User, *, at: datetime | None = None, device_at: datetime | None = None
) -> Outcome:
    """Close a stop as done: every required piece of evidence must be there. Refilled
    cartridges void the warranty instead (DOMAIN.md), still closing the stop.

    :raises JobError: listing what is missing.
    """
    if job.status not in (JobStatus.IN_PROGRESS, JobStatus.REJECTED):
        raise JobError("Registre la llegada antes de cerrar la parada.")
    missing = jobs.missing_evidence(job.kind, evidence_of(job))
    if missing:
        raise JobError("Falta: " + "; ".join(missing) + ".")
    job.completed_at = at or utcnow()
    job.device_completed_at = device_at
    job.completed_by_id = actor.id
    _set_status(job, JobStatus.DONE, actor, None)
    event = Event.VOID if job.refilled_cartridges else DONE_EVENT[job.kind]
    note = "Cartuchos rellenados: garantía anulada" if event is Event.VOID else None
    _case_event(job.case, event, actor, note=note, at=job.completed_at)
    requests.on_job_completed(job)
    return Outcome(job, event)


def fail(
    job: Job,
    actor: User,
    reason: FailureReason | None,
    *,
    note: str | None = None,
    has_photo: bool = False,
    at: datetime | None = None,
    device_at: datetime | None = None,
) -> Job | None:
    """Close a stop as a failed attempt; the case goes back to dispatch with a new job.

    :raises JobError: when the reason (or its proof photo) is missing.
    """
    if job.status not in (JobStatus.PLANNED, JobStatus.IN_PROGRESS):
        raise JobError("Esta parada no está en curso.")
    missing = jobs.missing_for_failure(reason, has_photo)
    if missing:
        raise JobError("Falta: " + "; ".join(missing) + ".")
    job.failure_reason = reason
    job.outcome_note = note
    job.completed_at = at or utcnow()
    job.device_completed_at = device_at
    job.completed_by_id = actor.id
    _set_status(job, JobStatus.FAILED, actor, note)
    on_unplan(job, actor)
    requests.on_job_failed(job)
    return sync_for_case(job.case)


def approve(job: Job, actor: User, *, at: datetime | None = None) -> Event | None:
    """Approve a job closed by the courier; the case closes when this was its last step, and
    the case's notice is queued (once).

    :raises JobError: when the job is not waiting for review or has evidence missing.
    """
    if job.status is not JobStatus.DONE:
        raise JobError("Este trabajo no está esperando aprobación.")
    missing = jobs.missing_evidence(job.kind, evidence_of(job))
    if missing:
        raise JobError("No se puede aprobar, falta: " + "; ".join(missing) + ".")
    job.reviewed_at = at or utcnow()
    job.reviewed_by_id = actor.id
    job.rejection_reason = None
    _set_status(job, JobStatus.APPROVED, actor, None)
    case = job.case
    found = case_flow.FLOWS[case.flow].get(DONE_EVENT[job.kind])
    notice = case_flow.Notice.WARRANTY_VOIDED if case.status is case_flow.Status.VOID else None
    if notice is None and found is not None:
        notice = found.notice
    if notice is not None:
        outbox.queue(case, notice)
    if Event.CLOSE in case_flow.allowed_events(case.flow, case.status):
        _case_event(case, Event.CLOSE, actor, note="Aprobado por supervisión", at=job.reviewed_at)
        return Event.CLOSE
    return None


def reject(job: Job, actor: User, reason: str, *, to_dispatch: bool = False) -> None:
    """Send a closed job back with the supervisor's reason: to its courier to fix and close
    again, or off its route to dispatch to plan it again.

    :raises JobError: without a reason, or when the job is not waiting for review.
    """
    reason = (reason or "").strip()
    if not reason:
        raise JobError("Indique el motivo del rechazo.")
    if job.status is not JobStatus.DONE:
        raise JobError("Este trabajo no está esperando aprobación.")
    job.reviewed_at = utcnow()
    job.reviewed_by_id = actor.id
    job.rejection_reason = reason
    if to_dispatch:
        job.route_id, job.sequence, job.eta = None, None, None
    where = "despacho" if to_dispatch else "courier"
    _set_status(job, JobStatus.REJECTED, actor, f"Devuelto a {where}: {reason}")
