"""What a courier may see: their published routes, the stops on them and those stops' files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from fieldapp.domain import jobs as job_rules
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, Job, Route, StockUnit, User
from fieldapp.services import deadline_status, jobs

STAFF_SEE_ALL_MEDIA = frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.TECHNICIAN})


def todays_route(user: User, day: date) -> Route | None:
    """The courier's route for `day`, once dispatch has published it."""
    stmt = select(Route).where(
        Route.courier_id == user.id, Route.day == day, Route.published_at.is_not(None)
    )
    return db.session.scalar(stmt)


def stop_for(user: User, job_id: int) -> Job | None:
    """The job if it is on a route published to `user` (admins: any published route)."""
    stmt = (
        select(Job)
        .join(Route, Job.route_id == Route.id)
        .where(Job.id == job_id, Route.published_at.is_not(None))
    )
    if Role(user.role) is not Role.ADMIN:
        stmt = stmt.where(Route.courier_id == user.id)
    return db.session.scalar(stmt)


def attachment_for(user: User, attachment_id: int) -> Attachment | None:
    """The attachment if `user` may see it: staff see all, a courier only their stops' files."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        return None
    if Role(user.role) in STAFF_SEE_ALL_MEDIA:
        return attachment
    if Role(user.role) is Role.COURIER and attachment.job_id is not None:
        return attachment if stop_for(user, attachment.job_id) is not None else None
    return None


def urgency_of(job: Job, now: datetime | None = None) -> Urgency | None:
    """How the case's deadline for this stop stands now (the status every screen shows)."""
    return deadline_status.of_job(job, now)


@dataclass(frozen=True)
class StopState:
    """What the stop screen needs: the steps this kind of stop requires and which are done."""

    evidence: job_rules.Evidence
    required_photos: tuple[str, ...]
    needs_replacement: bool
    needs_refill_check: bool
    attachments: list[Attachment]
    reserved_replacement: str | None


def stop_state(job: Job) -> StopState:
    """The steps of `job` and what the server already holds for each."""
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.job_id == job.id).order_by(Attachment.id)
    ).all()
    reserved = db.session.scalar(
        select(StockUnit.service_number).where(StockUnit.reserved_for_job_id == job.id)
    )
    return StopState(
        evidence=jobs.evidence_of(job),
        required_photos=job_rules.REQUIRED_PHOTOS[job.kind],
        needs_replacement=job.kind in job_rules.HANDS_OVER_NEW_UNIT,
        needs_refill_check=job.kind in job_rules.COLLECTS_UNIT,
        attachments=list(attachments),
        reserved_replacement=reserved,
    )
