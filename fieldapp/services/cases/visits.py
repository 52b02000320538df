"""The life of a job (a visit): made from its case, planned on a route, worked by the courier,
closed or failed. Each step moves the case through its flow table as well.

Imports go one way: visits → progress (case events) → job_sync (the job a case needs);
`open_job` and `sync_for_case` are re-exported here, the usual way callers reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldapp.domain import case_flow, jobs
from fieldapp.domain.case_flow import Event
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Attachment, Case, Job, Route, User
from fieldapp.models.types import utcnow
from fieldapp.services.cases.job_sync import open_job, set_status, sync_for_case  # noqa: F401
from fieldapp.services.cases.progress import apply_event
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


class JobError(ValueError):
    """A job cannot do what was asked (message in Spanish)."""


def _case_event(
    case: Case, event: Event, actor: User | None, note: str | None = None, at=None
) -> None:
    """Apply `event` to the case when its flow allows it now; otherwise leave the case as is."""
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
        set_status(job, JobStatus.IN_PROGRESS, actor, None)


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
    set_status(job, JobStatus.DONE, actor, None)
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
    set_status(job, JobStatus.FAILED, actor, note)
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
    set_status(job, JobStatus.APPROVED, actor, None)
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
    set_status(job, JobStatus.REJECTED, actor, f"Devuelto a {where}: {reason}")
