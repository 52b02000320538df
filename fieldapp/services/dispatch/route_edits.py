"""Hand edits of the day's routes on the dispatch board: a courier's day off, moving a stop to a
courier, reordering, locking and removing stops, and agreeing a visit window. Also the route
writes they share with applying an optimised plan (`optimisation`).

Every edit rewrites the affected routes' order and times from one replay of the travel model, so
the ETAs, kilometres and loads shown are always those of the order on screen.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select

from fieldapp.domain import routing
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import CourierAvailability, Job, Route, UnplannedJob, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.dispatch import board
from fieldapp.services.dispatch.errors import DispatchError, StaleRoute
from fieldapp.services.dispatch.problem import PLANNABLE


def set_available(user: User, day: date, available: bool, actor: User) -> None:
    """Record whether a courier works on a day (a day off takes their unpublished stops off)."""
    record = db.session.scalar(
        select(CourierAvailability).where(
            CourierAvailability.user_id == user.id, CourierAvailability.day == day
        )
    )
    if record is None:
        record = CourierAvailability(user_id=user.id, day=day)
        db.session.add(record)
    record.available = available
    if not available:
        route = db.session.scalar(
            select(Route).where(Route.courier_id == user.id, Route.day == day)
        )
        for job in list(route.jobs) if route else []:
            if job.status is JobStatus.PLANNED:
                take_off(job, actor)
        if route is not None:
            write(route, None, {}, day)
    audit.record(
        "courier_available" if available else "courier_unavailable",
        entity="user",
        entity_id=user.id,
        actor=actor,
        note=f"{day:%d/%m/%Y}",
    )
    db.session.flush()


# --- Route writes (shared with applying an optimised plan) ------------------------------------


def route_for(state: board.Board, courier_id: int) -> Route:
    """The courier's route of the board's day, created (and flushed) when they have none.

    :raises DispatchError: when the courier is not on the board.
    """
    for courier in state.couriers:
        if courier.user.id == courier_id:
            if courier.route is None:
                route = Route(
                    courier_id=courier_id, day=state.day, branch_id=courier.user.branch_id
                )
                db.session.add(route)
                db.session.flush()
                return route
            return courier.route
    raise DispatchError("Ese courier no trabaja este día.")


def write(route: Route, plan: routing.RoutePlan | None, chosen: dict[int, Job], day) -> None:
    """Put the route's jobs in the plan's order with their ETAs, km and hours."""
    midnight = datetime.combine(day, time(0), tzinfo=LIMA_TZ)
    stops = list(plan.stops) if plan else []
    if stops:  # a job on a route is no longer "unplanned" that day
        placed = [stop.job_id for stop in stops]
        db.session.execute(
            delete(UnplannedJob).where(UnplannedJob.day == day, UnplannedJob.job_id.in_(placed))
        )
    for sequence, stop in enumerate(stops, start=1):
        job = chosen[stop.job_id]
        job.route_id, job.sequence = route.id, sequence
        job.eta = midnight + timedelta(minutes=stop.start_min)
        if job.status in (JobStatus.PENDING, JobStatus.REJECTED):
            job.status = JobStatus.PLANNED
    route.distance_km = round(plan.distance_m / 1000, 1) if plan else 0.0
    route.duration_minutes = round(plan.duration_min) if plan else 0
    now = utcnow()
    route.updated_at = now  # always touch the row, so its version moves on every edit
    if route.published_at is not None:
        route.changed_at = now
    # Stops move by their route_id; reload the collection so it shows the new order.
    db.session.flush()
    db.session.expire(route, ["jobs"])


def take_off(job: Job, actor: User | None) -> None:
    """A job leaves its route and goes back to the jobs to plan."""
    was_published = job.route_id is not None and db.session.scalar(
        select(Route.published_at).where(Route.id == job.route_id)
    )
    job.route_id, job.sequence, job.eta, job.locked = None, None, None, False
    if job.status is JobStatus.PLANNED:
        job.status = JobStatus.PENDING
    if was_published:
        visits.on_unplan(job, actor)


# --- Hand edits --------------------------------------------------------------------------------


def _check_version(route: Route, version: int | None) -> None:
    if version is not None and route.version != version:
        raise StaleRoute(
            f"La ruta de {route.courier.full_name} cambió mientras la editaba. "
            "Revise el plan actualizado y vuelva a intentarlo."
        )


def _retime(state: board.Board, route: Route, order: list[Job]) -> list[str]:
    """Set `route` to visit `order` and recompute its times; return the rules it breaks."""
    courier = next((c for c in state.couriers if c.user.id == route.courier_id), None)
    if courier is None or not courier.available:
        raise DispatchError("Ese courier no trabaja este día.")
    problem, chosen = board.Board(state.day, [courier], []).problem(order)
    replay = routing.schedule(problem, courier.user.id, [job.id for job in order])
    write(route, replay.route, chosen, state.day)
    return list(replay.violations)


def move(
    job: Job, courier_id: int, day: date, actor: User, version: int | None = None
) -> list[str]:
    """Put a job at the end of a courier's route of `day` (from the list or another route).

    :raises DispatchError: when the job cannot be planned now.
    :raises StaleRoute: when the target route changed since `version` was read.
    """
    if job.status not in (*PLANNABLE, JobStatus.REJECTED):
        raise DispatchError("Este trabajo ya está en curso o cerrado.")
    if job.route_id is not None and db.session.get(Route, job.route_id).day != day:
        raise DispatchError("Esta parada está en la ruta de otro día.")
    state = board.of_day(day)
    target = route_for(state, courier_id)
    _check_version(target, version)
    source = db.session.get(Route, job.route_id) if job.route_id else None
    if source is not None and source.id != target.id:
        rest = [j for j in source.jobs if j.id != job.id]
        take_off(job, actor)
        _retime(state, source, rest)
    order = [j for j in target.jobs if j.id != job.id] + [job]
    job.locked = False
    return _retime(state, target, order)


def reorder(job: Job, offset: int, actor: User, version: int | None = None) -> list[str]:
    """Move a stop `offset` places earlier (negative) or later on its route.

    :raises StaleRoute: when the route changed since `version` was read.
    """
    route = _planned_route(job)
    _check_version(route, version)
    order = list(route.jobs)
    index = order.index(job)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    return _retime(board.of_day(route.day), route, order)


def toggle_lock(job: Job, actor: User, version: int | None = None) -> bool:
    """Lock a stop to its courier and place (or unlock it); returns the new state.

    :raises StaleRoute: when the route changed since `version` was read.
    """
    route = _planned_route(job)
    _check_version(route, version)
    job.locked = not job.locked
    audit.record(
        "stop_locked" if job.locked else "stop_unlocked",
        entity="job",
        entity_id=job.id,
        case_id=job.case_id,
        actor=actor,
    )
    route.changed_at = route.changed_at if route.published_at is None else utcnow()
    db.session.flush()
    return job.locked


def remove(job: Job, actor: User, version: int | None = None) -> None:
    """Take a stop off its route; it goes back to the jobs to plan.

    :raises StaleRoute: when the route changed since `version` was read.
    """
    route = _planned_route(job)
    _check_version(route, version)
    rest = [j for j in route.jobs if j.id != job.id]
    take_off(job, actor)
    _retime(board.of_day(route.day), route, rest)


def _planned_route(job: Job) -> Route:
    if job.route_id is None or job.status not in PLANNABLE:
        raise DispatchError("Esta parada no está en una ruta que se pueda cambiar.")
    return db.session.get(Route, job.route_id)


def set_window(job: Job, day: date, window: tuple[float, float] | None, actor: User) -> None:
    """Record the visit window agreed with the customer (minutes of `day`, or none)."""
    if window is None:
        job.window_start = job.window_end = None
    else:
        midnight = datetime.combine(day, time(0), tzinfo=LIMA_TZ)
        job.window_start = midnight + timedelta(minutes=window[0])
        job.window_end = midnight + timedelta(minutes=window[1])
    audit.record(
        "visit_window",
        entity="job",
        entity_id=job.id,
        case_id=job.case_id,
        actor=actor,
        note=f"{job.window_start:%d/%m %H:%M}–{job.window_end:%H:%M}" if window else "sin franja",
    )
    if job.route_id is not None and job.status in PLANNABLE:
        route = db.session.get(Route, job.route_id)
        _retime(board.of_day(route.day), route, list(route.jobs))
    db.session.flush()
