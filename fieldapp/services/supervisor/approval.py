"""Supervisor review: the queue of closed jobs with their evidence, approval and rejection."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from fieldapp.domain import jobs
from fieldapp.domain.case_flow import Status
from fieldapp.domain.geo import Gazetteer, Zone, distance_km
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.review import Flag, JobFacts, Review, Thresholds, review
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import JobMode
from fieldapp.domain.stock import StockStatus
from fieldapp.extensions import db
from fieldapp.models import Attachment, Case, Document, Job, Shipment, StockUnit, User
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.cases.visits import JobError
from fieldapp.services.dispatch import carrier_shipments
from fieldapp.services.workshop import inventory


@dataclass(frozen=True)
class QueueItem:
    """One closed job with its evidence side by side and the flags on it."""

    job: Job
    review: Review
    photos: list[Attachment]
    signature: Attachment | None
    documents: list[Document]
    distance_km: float | None
    district_label: str
    distance_from: str
    deadline_due_at: datetime | None
    shipments: list[Shipment] = field(default_factory=list)


def thresholds() -> Thresholds:
    """Review thresholds from the settings (FIELDAPP_REVIEW_* or the defaults)."""
    config = current_app.config
    return Thresholds(
        far_km_lima=config["REVIEW_FAR_KM_LIMA"],
        far_km_provinces=config["REVIEW_FAR_KM_PROVINCES"],
        skew_minutes=config["REVIEW_SKEW_MINUTES"],
    )


def _reference_point(job: Job, district) -> tuple[tuple[float, float] | None, bool]:
    """What the arrival is measured against: the address's point the visit was planned to
    (given at intake or learned on an earlier visit), else the district's centre."""
    if district is None:
        return None, False
    planned = (job.lat, job.lon)
    if distance_km(planned, district.point) > 0.01:
        return planned, True
    return district.point, False


def item_for(job: Job) -> QueueItem:
    """Gather the evidence of `job` and flag it."""
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.job_id == job.id).order_by(Attachment.id)
    ).all()
    photos = [a for a in attachments if a.kind == "photo"]
    signature = next((a for a in attachments if a.kind == "signature"), None)
    documents = db.session.scalars(
        select(Document)
        .where(Document.job_id == job.id, Document.superseded_by_id.is_(None))
        .order_by(Document.id)
    ).all()
    district = Gazetteer.default().get(job.case.ubigeo)
    reference, at_address = _reference_point(job, district)
    km = None
    if reference is not None and job.arrival_lat is not None and job.arrival_lon is not None:
        km = round(distance_km((job.arrival_lat, job.arrival_lon), reference), 1)
    name = jobs.DEADLINE_FOR[job.kind]
    due = next((d.due_at for d in job.case.deadlines if d.name == name), None)
    facts = JobFacts(
        expected_service_number=job.case.unit.service_number,
        checked_service_number=job.checked_service_number,
        zone=job.case.zone,
        distance_km=km,
        server_times=(job.arrived_at, job.completed_at),
        device_times=(job.device_arrived_at, job.device_completed_at),
        due_at=due,
        completed_at=job.completed_at,
        missing=tuple(jobs.missing_evidence(job.kind, visits.evidence_of(job))),
        by_carrier=job.mode is JobMode.CARRIER,
    )
    return QueueItem(
        job=job,
        review=review(facts, thresholds()),
        photos=photos,
        signature=signature,
        documents=documents,
        distance_km=km,
        district_label=district.label if district is not None else job.case.ubigeo,
        distance_from="de la dirección" if at_address else "del distrito",
        deadline_due_at=due,
        shipments=carrier_shipments.of_job(job) if job.mode is JobMode.CARRIER else [],
    )


@dataclass(frozen=True)
class QueueFilter:
    """Which waiting jobs to show: one branch's (the branch serving the case), one courier's,
    one zone's, those carrying one flag."""

    branch_id: int | None = None
    courier_id: int | None = None
    zone: Zone | None = None
    flag: Flag | None = None
    clean: bool = False  # only the jobs without any flag

    def matches(self, item: QueueItem) -> bool:
        """Whether `item` passes every filter that is set."""
        job = item.job
        return (
            (self.branch_id is None or job.case.branch_id == self.branch_id)
            and (self.courier_id is None or job.completed_by_id == self.courier_id)
            and (self.zone is None or job.case.zone is self.zone)
            and (self.flag is None or self.flag in item.review.flags)
            and (not self.clean or item.review.clean)
        )


def queue(filters: QueueFilter | None = None) -> list[QueueItem]:
    """Jobs closed by couriers and waiting for approval, oldest first (only those `filters`
    let through)."""
    stmt = select(Job).where(Job.status == JobStatus.DONE).order_by(Job.completed_at, Job.id)
    if filters is not None and filters.branch_id is not None:
        # narrowed here too, so another branch's evidence is never gathered
        stmt = stmt.join(Case, Job.case_id == Case.id).where(Case.branch_id == filters.branch_id)
    items = [item_for(job) for job in db.session.scalars(stmt)]
    return [item for item in items if filters is None or filters.matches(item)]


def couriers(branch_id: int | None = None) -> list[User]:
    """The couriers (of `branch_id` when given), by name (the queue's courier filter)."""
    stmt = select(User).where(User.role == Role.COURIER)
    if branch_id is not None:
        stmt = stmt.where(User.branch_id == branch_id)
    return list(db.session.scalars(stmt.order_by(User.full_name)))


def pending_job(job_id: int) -> Job | None:
    """A job waiting for review, by id (None when unknown or already reviewed)."""
    job = db.session.get(Job, job_id)
    return job if job is not None and job.status is JobStatus.DONE else None


def approve(job: Job, actor: User) -> None:
    """Approve one job (the case closes when it was its last step).

    :raises JobError: when evidence is missing or the job is not waiting for review.
    """
    visits.approve(job, actor)
    _deliver_carried_unit(job, actor)
    db.session.flush()


def _deliver_carried_unit(job: Job, actor: User) -> None:
    """Stock follows an approved visit: the unit handed over (reserved for the job, or the new
    unit the courier recorded) leaves the stock, and a swap's failed DOA unit enters it."""
    unit = db.session.scalar(
        select(StockUnit).where(
            StockUnit.reserved_for_job_id == job.id, StockUnit.status == StockStatus.RESERVED
        )
    )
    if unit is None and job.replacement_service_number:
        unit = db.session.scalar(
            select(StockUnit).where(
                StockUnit.service_number == job.replacement_service_number,
                StockUnit.status.in_([StockStatus.ON_HAND, StockStatus.RESERVED]),
            )
        )
    if unit is not None:
        inventory.deliver(unit, job.case, actor, job)
    collected = db.session.scalar(
        select(StockUnit.id).where(StockUnit.service_number == job.case.unit.service_number)
    )
    if job.kind in inventory.SWAP_JOBS and job.case.status is not Status.VOID and collected is None:
        inventory.collect_doa(job.case, actor, job)


def reject(job: Job, actor: User, reason: str, *, to_dispatch: bool = False) -> None:
    """Send a job back to its courier (or to dispatch) with the reason.

    :raises JobError: without a reason or when the job is not waiting for review.
    """
    visits.reject(job, actor, reason, to_dispatch=to_dispatch)
    db.session.flush()


def bulk_approve(
    actor: User, job_ids: list[int] | None = None, filters: QueueFilter | None = None
) -> list[Job]:
    """Approve every job in the queue (or those of `job_ids`, or those `filters` shows) that
    carries no flag; returns the approved ones. Flagged jobs stay in the queue."""
    wanted = set(job_ids) if job_ids is not None else None
    approved = []
    for item in queue(filters):
        if wanted is not None and item.job.id not in wanted:
            continue
        if not item.review.clean:
            continue
        try:
            visits.approve(item.job, actor)
        except JobError:
            continue
        _deliver_carried_unit(item.job, actor)
        approved.append(item.job)
    audit.record(
        "bulk_approve",
        entity="job",
        entity_id=None,
        actor=actor,
        data={"job_ids": [job.id for job in approved]},
    )
    db.session.flush()
    return approved
