"""The job a case needs now: made from the case's state after every case event (see
`progress.apply_event`), cancelled once the case no longer needs it.

Below both `progress` (cases move, then their jobs follow) and `visits` (jobs move their cases),
so imports go one way: visits → progress → job_sync.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from fieldapp.domain import jobs
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import DEADLINE_FOR, LOAD, OPEN_JOB, JobKind, JobStatus
from fieldapp.extensions import db
from fieldapp.models import Case, Job, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit

SERVICE_MINUTES = {
    JobKind.DOA_SWAP: 20,
    JobKind.STORE_SWAP: 20,
    JobKind.PICKUP: 15,
    JobKind.STORE_PICKUP: 15,
    JobKind.RETURN: 15,
}


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
        set_status(current, JobStatus.CANCELLED, None, "El caso ya no necesita esta visita.")
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


def set_status(job: Job, status: JobStatus, actor: User | None, note: str | None) -> None:
    """Move the job to `status` and write the audit event (from, to, note)."""
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
