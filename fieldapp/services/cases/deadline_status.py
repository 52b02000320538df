"""How a case deadline, or the deadline a job races against, stands now: the one status
("cumplido / incumplido / vencido / en riesgo / a tiempo") that every screen shows, always from
the domain's `urgency` (for a job sent by agency, also at risk when its expected arrival falls
after the due time)."""

from __future__ import annotations

from datetime import datetime

from fieldapp import clock
from fieldapp.domain.deadlines import Urgency, urgency
from fieldapp.domain.jobs import DEADLINE_FOR
from fieldapp.models import CaseDeadline, Job
from fieldapp.services.dispatch import carrier_shipments


def of_deadline(deadline: CaseDeadline, now: datetime | None = None) -> Urgency:
    """How `deadline` stands at `now` (default: the app's clock)."""
    at = now or clock.now()
    return urgency(deadline.starts_at, deadline.due_at, at, deadline.done_at)


def deadline_of(job: Job) -> CaseDeadline | None:
    """The case deadline `job` races against (its kind's), if the case has it."""
    name = DEADLINE_FOR.get(job.kind)
    return next((d for d in job.case.deadlines if d.name == name), None)


def of_job(job: Job, now: datetime | None = None) -> Urgency | None:
    """How the deadline `job` races against stands at `now` (None when the case has none); a job
    sent by agency expected to arrive after the due time is at risk."""
    deadline = deadline_of(job)
    if deadline is None:
        return None
    return carrier_shipments.urgency_of(job, of_deadline(deadline, now), deadline.due_at)


def status(item: Job | CaseDeadline | None, now: datetime | None = None) -> Urgency | None:
    """The status of a job's deadline or of a case deadline (the `deadline_status` filter)."""
    if item is None:
        return None
    return of_job(item, now) if isinstance(item, Job) else of_deadline(item, now)
