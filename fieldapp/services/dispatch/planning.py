"""Dispatch: the day's board (jobs to plan, couriers, routes), optimising it with the routing
domain, hand edits (move, reorder, lock, remove), and publishing routes to the couriers.

Every edit rewrites the affected routes' order and times from one replay of the travel model, so
the ETAs, kilometres and loads shown are always those of the order on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.domain import routing
from fieldapp.domain.deadlines import LIMA_TZ, end_of_day, is_business_day
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.mapping import PALETTE, PlanMap, plan_map
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import JobMode
from fieldapp.domain.trips import TripOutcome
from fieldapp.domain.workday import board_day
from fieldapp.extensions import db
from fieldapp.models import (
    Case,
    CourierAvailability,
    CourierProfile,
    Job,
    Route,
    UnplannedJob,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.dispatch.problem import PLANNABLE, build_problem


class DispatchError(ValueError):
    """A dispatch action that cannot be done (message in Spanish)."""


class StaleRoute(DispatchError):
    """Someone else changed the route since this page was loaded."""


@dataclass(frozen=True)
class CourierDay:
    """A courier with their profile, whether they work on the day, and their route."""

    user: User
    profile: CourierProfile
    available: bool
    route: Route | None
    away: bool = False  # on a multi-day trip


@dataclass
class Board:
    """Everything the dispatch page shows for one day."""

    day: date
    couriers: list[CourierDay]
    to_plan: list[Job]
    unplanned: dict[int, str] = field(default_factory=dict)

    @property
    def routes(self) -> list[Route]:
        """The day's routes that have stops."""
        return [c.route for c in self.couriers if c.route is not None and c.route.jobs]

    @property
    def distance_km(self) -> float:
        """Kilometres of every route of the day."""
        return sum(r.distance_km or 0.0 for r in self.routes)

    @property
    def planned_count(self) -> int:
        """Stops on the day's routes."""
        return sum(len(r.jobs) for r in self.routes)

    @property
    def colours(self) -> dict[int, str]:
        """Each courier's colour on the map (the routes' order there)."""
        with_stops = [c.user.id for c in self.couriers if c.route is not None and c.route.jobs]
        return {user_id: PALETTE[n % len(PALETTE)] for n, user_id in enumerate(with_stops)}

    @property
    def published(self) -> bool:
        """Whether every route with stops is published and unchanged since."""
        return bool(self.routes) and all(r.published_at is not None for r in self.routes)


def board_map(state: Board) -> PlanMap:
    """The day drawn from coordinates: one colour per courier's route, jobs to plan in grey."""
    routes = [
        (
            c.user.full_name,
            (c.profile.base_lat, c.profile.base_lon),
            [(j.lat, j.lon) for j in c.route.jobs],
        )
        for c in state.couriers
        if c.route is not None and c.route.jobs
    ]
    return plan_map(routes, [(job.lat, job.lon) for job in state.to_plan])


def away_on_trip(user_id: int, day: date) -> bool:
    """Whether the courier is on a multi-day trip that covers `day` (its first day included:
    a trip is planned by itself, never re-planned as a day's route)."""
    longest = current_app.config["TRIP_MAX_DAYS"]
    started = db.session.scalars(
        select(Route).where(
            Route.courier_id == user_id,
            Route.days > 1,
            Route.day <= day,
            Route.day >= day - timedelta(days=longest),
        )
    )
    return any(route.day + timedelta(days=route.days - 1) >= day for route in started)


def _available(user: User, day: date) -> bool:
    if away_on_trip(user.id, day):
        return False
    record = db.session.scalar(
        select(CourierAvailability).where(
            CourierAvailability.user_id == user.id, CourierAvailability.day == day
        )
    )
    return record.available if record is not None else is_business_day(day)


def opening_day(now: datetime) -> date:
    """The day the board opens on at `now`: today until the last courier's shift ends, then the
    next working day."""
    latest = db.session.scalar(
        select(func.max(CourierProfile.shift_end))
        .join(User, User.id == CourierProfile.user_id)
        .where(User.role == Role.COURIER, User.active.is_(True))
    )
    return board_day(now, latest or time(23, 59, 59))


def board(day: date, branch_id: int | None = None) -> Board:
    """The day's board: couriers (with availability and route) and the jobs still to plan (of
    one branch's couriers and cases when `branch_id` is given)."""
    stmt = (
        select(User, CourierProfile)
        .join(CourierProfile, CourierProfile.user_id == User.id)
        .where(User.role == Role.COURIER, User.active.is_(True))
        .order_by(User.full_name)
    )
    if branch_id is not None:
        stmt = stmt.where(User.branch_id == branch_id)
    routes = {
        route.courier_id: route
        for route in db.session.scalars(
            select(Route).where(Route.day == day).options(selectinload(Route.jobs))
        )
    }
    couriers = [
        CourierDay(
            user, profile, _available(user, day), routes.get(user.id), away_on_trip(user.id, day)
        )
        for user, profile in db.session.execute(stmt)
    ]
    jobs_stmt = select(Job)
    if branch_id is not None:
        jobs_stmt = jobs_stmt.join(Case, Job.case_id == Case.id).where(Case.branch_id == branch_id)
    to_plan = db.session.scalars(
        jobs_stmt.where(
            or_(
                Job.status == JobStatus.PENDING,
                (Job.status == JobStatus.REJECTED) & Job.route_id.is_(None),
            ),
            Job.mode == JobMode.COURIER,  # jobs sent by agency are followed on their own page
        ).order_by(Job.due_at)
    ).all()
    reasons = db.session.execute(
        select(UnplannedJob.job_id, UnplannedJob.message).where(UnplannedJob.day == day)
    )
    return Board(day, couriers, list(to_plan), dict(reasons.tuples().all()))


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
                _take_off(job, actor)
        if route is not None:
            _write(route, None, {}, day)
    audit.record(
        "courier_available" if available else "courier_unavailable",
        entity="user",
        entity_id=user.id,
        actor=actor,
        note=f"{day:%d/%m/%Y}",
    )
    db.session.flush()


def _problem(state: Board, extra: list[Job] | None = None):
    working = [(c.user, c.profile, c.route) for c in state.couriers if c.available]
    return build_problem(state.day, working, extra or [])


def _route_for(state: Board, courier_id: int) -> Route:
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


def _write(route: Route, plan: routing.RoutePlan | None, chosen: dict[int, Job], day) -> None:
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


def _take_off(job: Job, actor: User | None) -> None:
    """A job leaves its route and goes back to the jobs to plan."""
    was_published = job.route_id is not None and db.session.scalar(
        select(Route.published_at).where(Route.id == job.route_id)
    )
    job.route_id, job.sequence, job.eta, job.locked = None, None, None, False
    if job.status is JobStatus.PLANNED:
        job.status = JobStatus.PENDING
    if was_published:
        visits.on_unplan(job, actor)


@dataclass(frozen=True)
class OptimiseResult:
    """What an optimisation did: the plan, why each job left out was left out, and what the
    trip planning that follows it did with the far jobs."""

    plan: routing.Plan
    unplanned: dict[int, str]
    trips: TripOutcome = TripOutcome()


@dataclass(frozen=True)
class Optimisation:
    """A day's optimisation problem (of one branch, or all when `branch_id` is None) and the
    version of every job it was built from."""

    day: date
    branch_id: int | None
    problem: routing.Problem
    versions: dict[int, int]


def prepare_optimisation(day: date, branch_id: int | None = None) -> Optimisation:
    """The problem of planning the day: every job waiting or planned, on the working couriers
    (of one branch's couriers and cases when `branch_id` is given); locked stops keep their
    courier and order. Jobs due on the day (or overdue) are required. Reads only: the caller
    ends the transaction before the (long) solve.

    :raises DispatchError: when no courier works on the day.
    """
    state = board(day, branch_id)
    if not any(c.available for c in state.couriers):
        raise DispatchError("Ningún courier está disponible este día.")
    # Jobs due within three days compete for today's routes; later ones wait.
    horizon = end_of_day(day + timedelta(days=3))
    waiting = [job for job in state.to_plan if job.due_at <= horizon]
    problem, chosen = _problem(state, waiting)
    versions = {job_id: job.version for job_id, job in chosen.items()}
    return Optimisation(day, branch_id, problem, versions)


def apply_optimisation(prepared: Optimisation, plan: routing.Plan, actor: User) -> OptimiseResult:
    """Write a solved plan onto the day's routes, unless a job changed since it was prepared.
    Flushes.

    :raises StaleRoute: when another optimisation or edit changed the day's routes meanwhile.
    """
    state = board(prepared.day, prepared.branch_id)
    chosen = {job_id: db.session.get(Job, job_id) for job_id in prepared.versions}
    try:
        if any(chosen[i] is None or chosen[i].version != v for i, v in prepared.versions.items()):
            raise StaleDataError("a job changed while the day was being optimised")
        _apply(state, plan, chosen, prepared.day, actor)
    except (StaleDataError, IntegrityError) as error:  # another optimise or edit got there first
        raise StaleRoute(
            "Otra persona cambió las rutas de este día mientras se optimizaba. "
            "Revise el tablero y vuelva a optimizar."
        ) from error
    return OptimiseResult(plan, {u.job_id: _message(u) for u in plan.unplanned})


def _message(unplanned: routing.Unplanned) -> str:
    return f"{unplanned.label}. {unplanned.detail}"


def keep_unplanned(day: date, unplanned: list[routing.Unplanned]) -> None:
    """Store why the day's plan left each job out (replacing the previous plan's reasons), so
    the job's card shows it until the next plan. Flushes."""
    db.session.execute(delete(UnplannedJob).where(UnplannedJob.day == day))
    for item in unplanned:
        db.session.add(
            UnplannedJob(
                day=day, job_id=item.job_id, reason=item.reason.value, message=_message(item)
            )
        )
    db.session.flush()


def _apply(state: Board, plan: routing.Plan, chosen: dict[int, Job], day: date, actor: User):
    """Write an optimised plan onto the day's routes (flushes; a concurrent change raises)."""
    for courier in state.couriers:
        if not courier.available:
            continue
        found = plan.route_of(courier.user.id)
        if found is None and courier.route is None:
            continue
        route = _route_for(state, courier.user.id)
        keep = set(found.job_ids) if found else set()
        for job in list(route.jobs):
            if job.id not in keep and job.status in PLANNABLE:
                _take_off(job, actor)
        _write(route, found, chosen, day)
    for missing in plan.unplanned:
        job = chosen[missing.job_id]
        if job.route_id is not None and job.status in PLANNABLE:
            _take_off(job, actor)
    keep_unplanned(day, list(plan.unplanned))
    audit.record(
        "routes_optimised",
        entity="route",
        entity_id=None,
        actor=actor,
        note=f"{day:%d/%m/%Y}: {len(plan.planned_ids)} paradas, {plan.distance_m / 1000:.1f} km",
    )
    db.session.flush()


# --- Hand edits --------------------------------------------------------------------------------


def _check_version(route: Route, version: int | None) -> None:
    if version is not None and route.version != version:
        raise StaleRoute(
            f"La ruta de {route.courier.full_name} cambió mientras la editaba. "
            "Revise el plan actualizado y vuelva a intentarlo."
        )


def _retime(state: Board, route: Route, order: list[Job]) -> list[str]:
    """Set `route` to visit `order` and recompute its times; return the rules it breaks."""
    courier = next((c for c in state.couriers if c.user.id == route.courier_id), None)
    if courier is None or not courier.available:
        raise DispatchError("Ese courier no trabaja este día.")
    one = Board(state.day, [courier], [])
    problem, chosen = _problem(one, order)
    replay = routing.schedule(problem, courier.user.id, [job.id for job in order])
    _write(route, replay.route, chosen, state.day)
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
    state = board(day)
    target = _route_for(state, courier_id)
    _check_version(target, version)
    source = db.session.get(Route, job.route_id) if job.route_id else None
    if source is not None and source.id != target.id:
        rest = [j for j in source.jobs if j.id != job.id]
        _take_off(job, actor)
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
    return _retime(board(route.day), route, order)


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
    _take_off(job, actor)
    _retime(board(route.day), route, rest)


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
        _retime(board(route.day), route, list(route.jobs))
    db.session.flush()
