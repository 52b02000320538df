"""A courier's day: their published route, each stop's steps and what comes next (which stops
and files they may open is `fieldapp.services.access`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from fieldapp.domain import jobs
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.stock import StockStatus
from fieldapp.extensions import db
from fieldapp.models import Attachment, Job, Route, StockUnit, SyncAction, User
from fieldapp.services.cases import deadline_status, visits


def todays_route(user: User, day: date) -> Route | None:
    """The courier's route for `day`, once dispatch has published it: the day's own route, or
    the multi-day trip `day` falls in (its second and later days included)."""
    longest = current_app.config["TRIP_MAX_DAYS"]
    published = db.session.scalars(
        select(Route)
        .where(
            Route.courier_id == user.id,
            Route.published_at.is_not(None),
            Route.day <= day,
            Route.day >= day - timedelta(days=max(longest - 1, 0)),
        )
        .order_by(Route.day.desc())
    )
    return next((r for r in published if r.day + timedelta(days=r.days - 1) >= day), None)


def urgency_of(job: Job, now: datetime | None = None) -> Urgency | None:
    """How the case's deadline for this stop stands now (the status every screen shows)."""
    return deadline_status.of_job(job, now)


@dataclass(frozen=True)
class StopState:
    """What the stop screen needs: the steps this kind of stop requires and which are done."""

    evidence: jobs.Evidence
    required_photos: tuple[str, ...]
    needs_replacement: bool
    needs_refill_check: bool
    attachments: list[Attachment]
    reserved_unit: StockUnit | None

    @property
    def reserved_replacement(self) -> str | None:
        """The service number of the new unit reserved for this stop, if any."""
        return self.reserved_unit.service_number if self.reserved_unit is not None else None


def stop_state(job: Job) -> StopState:
    """The steps of `job` and what the server already holds for each."""
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.job_id == job.id).order_by(Attachment.id)
    ).all()
    reserved = db.session.scalar(
        select(StockUnit).where(
            StockUnit.reserved_for_job_id == job.id, StockUnit.status == StockStatus.RESERVED
        )
    )
    return StopState(
        evidence=visits.evidence_of(job),
        required_photos=jobs.REQUIRED_PHOTOS[job.kind],
        needs_replacement=job.kind in jobs.HANDS_OVER_NEW_UNIT,
        needs_refill_check=job.kind in jobs.COLLECTS_UNIT,
        attachments=list(attachments),
        reserved_unit=reserved,
    )


OPEN_STOP = (JobStatus.PLANNED, JobStatus.IN_PROGRESS, JobStatus.REJECTED)
REFUSED = (404, 409, 422)


def needs_attention(stops: list[Job]) -> dict[int, str]:
    """Open stops whose last synced action the server refused, with its message (the courier
    must go back to them even if the phone that queued the action forgot it)."""
    open_ids = [job.id for job in stops if job.status in OPEN_STOP]
    if not open_ids:
        return {}
    actions = db.session.scalars(
        select(SyncAction)
        .where(SyncAction.job_id.in_(open_ids), SyncAction.status_code.is_not(None))
        .order_by(SyncAction.received_at, SyncAction.id)
    )
    last = {action.job_id: action for action in actions}
    return {
        job_id: (action.response or {}).get("message", "Rechazada por el servidor.")
        for job_id, action in last.items()
        if action.status_code in REFUSED
    }


def next_stop(job: Job) -> Job | None:
    """The next stop still to be worked on the same route: after this one, else the first."""
    if job.route_id is None:
        return None
    others = db.session.scalars(
        select(Job)
        .where(Job.route_id == job.route_id, Job.id != job.id, Job.status.in_(OPEN_STOP))
        .order_by(Job.sequence, Job.id)
    ).all()
    later = [other for other in others if (other.sequence or 0) > (job.sequence or 0)]
    return (later or others or [None])[0]
