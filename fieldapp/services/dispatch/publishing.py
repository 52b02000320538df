"""Publishing a day's routes to the couriers, and telling each customer the day and window
of their visit with a link to its public tracking page."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app

from fieldapp.domain.case_flow import Notice
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job, Route, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.dispatch import board, reservations
from fieldapp.services.dispatch.errors import DispatchError
from fieldapp.services.notifications import outbox


def publish(day: date, actor: User, branch_id: int | None = None) -> list[Route]:
    """Send every route of the day with stops to its courier (only the routes of
    `branch_id`'s couriers when given); cases become scheduled and customers with an e-mail get
    the day and window of the visit.

    :raises DispatchError: when there is nothing to publish.
    """
    routes = [r for r in board.of_day(day, branch_id).routes]
    if not routes:
        raise DispatchError("No hay rutas con paradas para publicar.")
    now = utcnow()
    for route in routes:
        route.published_at = now
        route.changed_at = None
        visits.on_publish(route, actor)
        for job in route.jobs:
            if job.status is JobStatus.PLANNED:
                _tell_customer(job)
        audit.record(
            "route_published",
            entity="route",
            entity_id=route.id,
            actor=actor,
            note=f"{route.courier.full_name}: {len(route.jobs)} paradas",
        )
    db.session.flush()
    return routes


def swaps_without_unit(routes: list[Route]) -> list[Job]:
    """Stops still to be worked on `routes` that hand over a new unit but have none reserved."""
    open_stops = [
        job
        for route in routes
        for job in route.jobs
        if job.status in (JobStatus.PLANNED, JobStatus.IN_PROGRESS)
    ]
    return reservations.unreserved_swaps(open_stops)


VISIT_MARGIN = timedelta(hours=1)


def visit_window(job: Job) -> tuple[datetime, datetime] | None:
    """The window the customer is given: the agreed one on the route's day, else the ETA ± 1
    hour (to the hour)."""
    if job.window_start is not None and job.window_end is not None:
        route = db.session.get(Route, job.route_id) if job.route_id is not None else None
        if route is None:
            return job.window_start, job.window_end
        return _on_day(job.window_start, route.day), _on_day(job.window_end, route.day)
    if job.eta is None:
        return None
    start = (job.eta - VISIT_MARGIN).replace(minute=0, second=0, microsecond=0)
    return start, start + 2 * VISIT_MARGIN


def tracking_url(job: Job) -> str | None:
    """The customer's public tracking page of the visit, once it was published."""
    if job.tracking_token is None:
        return None
    return f"{current_app.config['PUBLIC_URL']}/t/{job.tracking_token}"


def _on_day(at: datetime, day: date) -> datetime:
    """The Lima time of day of `at`, on `day` (a window agreed on another day's board)."""
    return datetime.combine(day, at.astimezone(LIMA_TZ).time(), tzinfo=LIMA_TZ)


def _tell_customer(job: Job) -> None:
    """Give the visit its public tracking link and e-mail the customer the day and window."""
    if job.tracking_token is None:
        job.tracking_token = secrets.token_urlsafe(32)
    window = visit_window(job)
    if window is None:
        return
    url = tracking_url(job)
    outbox.queue(
        job.case,
        Notice.VISIT_SCHEDULED,
        visit=outbox.Visit(job.id, window, url),
    )


def unpublish(day: date, actor: User, branch_id: int | None = None) -> None:
    """Take the day's routes back from the couriers (stops not yet worked; only the routes of
    `branch_id`'s couriers when given)."""
    for route in board.of_day(day, branch_id).routes:
        if route.published_at is None:
            continue
        route.published_at = None
        for job in route.jobs:
            if job.status is JobStatus.PLANNED:
                visits.on_unplan(job, actor)
        audit.record("route_unpublished", entity="route", entity_id=route.id, actor=actor)
    db.session.flush()
