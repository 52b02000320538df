"""Multi-day trips: dispatch sends a free hub courier on a trip of up to TRIP_MAX_DAYS days to
the jobs no courier reaches within a shift (by road), instead of leaving them unplanned. The
trip is one route starting on the day, with each stop's day and time; the courier is away
(not available) on the trip's other days. Jobs with no road go by carrier instead."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from fieldapp.domain import routing
from fieldapp.domain import trips as rules
from fieldapp.domain.deadlines import LIMA_TZ, lima_date
from fieldapp.domain.geo import Zone
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job, Route, UnplannedJob, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.dispatch import board, carrier_shipments
from fieldapp.services.dispatch.errors import DispatchError, StaleRoute
from fieldapp.services.dispatch.problem import base_zone, courier_for, request_for, travel_model


@dataclass(frozen=True)
class TripResult:
    """The routes of the trips planned, and the far jobs no trip could serve in time."""

    routes: list[Route]
    left: list[Job]


def _is_hub(profile) -> bool:
    return base_zone(profile.base_lat, profile.base_lon) is Zone.PROVINCES


NO_FAR_JOBS = "No hay trabajos fuera del alcance de un turno por carretera."
NO_FREE_HUB = "Ningún courier de hub está libre este día para viajar."
TOO_LATE = "Ningún viaje llega a tiempo; envíelo por agencia."


POSTPONED = "Su courier sale de viaje; queda para otro día."


@dataclass(frozen=True)
class TripProblem:
    """The far jobs of a day, the hub couriers who can leave (free, or with a day route of
    their own that is not published nor locked) with the stops of that route, and the version
    each job was read at; built in one read, solved with no transaction open, applied if
    nothing changed."""

    day: date
    branch_id: int | None
    far_ids: tuple[int, ...]
    hub_ids: tuple[int, ...]
    own: dict[int, tuple[int, ...]]  # a hub courier's day-route stops (empty when free)
    needed: dict[int, tuple[int, ...]]  # the required ones: a trip must keep them
    versions: dict[int, int]
    couriers: tuple[routing.Courier, ...]
    requests: tuple[routing.JobRequest, ...]
    due: dict[int, int]


def _can_leave(courier: board.CourierDay) -> bool:
    """A hub courier can go on a trip: free, or their day route is still theirs to change (not
    published, no locked stop, every stop only planned)."""
    route = courier.route
    if route is None or not route.jobs:
        return True
    return route.published_at is None and all(
        job.status is JobStatus.PLANNED and not job.locked for job in route.jobs
    )


def prepare(day: date, branch_id: int | None = None) -> TripProblem:
    """The trip problem of `day`: the jobs waiting that no working courier reaches within a
    shift and that have a road, and the hub couriers who can leave, each with the stops of
    their day route (a trip may take them along). Of one branch's couriers and cases when
    `branch_id` is given. Reads only."""
    config = current_app.config
    state = board.of_day(day, branch_id)
    beyond = carrier_shipments.suggestions(state.to_plan, state.working)
    far = [
        job
        for job in state.to_plan
        if job.id in beyond and rules.by_road(job.ubigeo, config["NO_ROAD_DEPARTMENTS"])
    ]
    hubs = [c for c in state.couriers if c.available and _is_hub(c.profile) and _can_leave(c)]
    own = {c.user.id: list(c.route.jobs) if c.route is not None else [] for c in hubs}
    own_requests = {job.id: request_for(job, day, None) for jobs in own.values() for job in jobs}
    every = far + [job for jobs in own.values() for job in jobs]
    return TripProblem(
        day=day,
        branch_id=branch_id,
        far_ids=tuple(job.id for job in far),
        hub_ids=tuple(c.user.id for c in hubs),
        own={courier_id: tuple(job.id for job in jobs) for courier_id, jobs in own.items()},
        needed={
            courier_id: tuple(job.id for job in jobs if own_requests[job.id].required)
            for courier_id, jobs in own.items()
        },
        versions={job.id: job.version for job in every},
        couriers=tuple(courier_for(c.user, c.profile) for c in hubs),
        # a far job is no nearer later: every one is required
        requests=(
            *(replace(request_for(job, day, None), required=True) for job in far),
            *own_requests.values(),
        ),
        due={job.id: max((lima_date(job.due_at) - day).days, 0) for job in every},
    )


def solve(prepared: TripProblem, seconds: float | None = None) -> rules.TripPlan:
    """Plan the trips of a prepared problem (no database: run it outside a transaction). A
    trip of a courier with a day route replaces it only when it lasts more than a day and
    keeps every required stop of that route (and takes no other courier's stops); the far
    jobs on no such trip are the plan's unplanned.

    :raises DispatchError: when there is no far job, or no hub courier who can leave.
    """
    if not prepared.far_ids:
        raise DispatchError(NO_FAR_JOBS)
    if not prepared.hub_ids:
        raise DispatchError(NO_FREE_HUB)
    config = current_app.config
    found = rules.plan_trips(
        list(prepared.couriers),
        list(prepared.requests),
        prepared.due,
        travel_model(),
        max_days=config["TRIP_MAX_DAYS"],
        seconds=seconds if seconds is not None else config["ROUTING_SECONDS"],
        seed=config["ROUTING_SEED"],
    )
    owner = {job_id: c for c, ids in prepared.own.items() for job_id in ids}
    accepted = tuple(
        trip
        for trip in found.trips
        if all(owner.get(i, trip.courier_id) == trip.courier_id for i in trip.job_ids)
        and (
            not prepared.own[trip.courier_id]
            or (trip.days > 1 and set(prepared.needed[trip.courier_id]) <= set(trip.job_ids))
        )
    )
    on_trip = {i for trip in accepted for i in trip.job_ids}
    return rules.TripPlan(accepted, tuple(i for i in prepared.far_ids if i not in on_trip))


def apply(prepared: TripProblem, found: rules.TripPlan, actor: User) -> TripResult:
    """Write solved trips as the hub couriers' routes (a day route a trip replaces gives back
    the stops the trip leaves, for another day), unless a job or a hub courier's day changed
    since the problem was read; the far jobs no trip reaches are noted as unplanned with why.
    Flushes.

    :raises StaleRoute: when a job changed, or a hub courier's route did, meanwhile.
    """
    state = board.of_day(prepared.day, prepared.branch_id)
    couriers = {c.user.id: c for c in state.couriers}
    by_id = {job_id: db.session.get(Job, job_id) for job_id in prepared.versions}

    def moved(courier_id: int) -> bool:
        courier = couriers.get(courier_id)
        if courier is None or not courier.available:
            return True
        now = tuple(job.id for job in courier.route.jobs) if courier.route is not None else ()
        return set(now) != set(prepared.own[courier_id])

    changed = any(
        by_id[i] is None or by_id[i].version != v for i, v in prepared.versions.items()
    ) or any(moved(trip.courier_id) for trip in found.trips)
    if changed:
        raise StaleRoute(
            "Otra persona cambió los trabajos lejanos o los couriers de hub mientras se "
            "planificaban los viajes. Vuelva a optimizar."
        )
    postponed = []
    for trip in found.trips:
        for job_id in prepared.own[trip.courier_id]:
            if job_id not in trip.job_ids:  # optional: left for another day
                job = by_id[job_id]
                job.route_id, job.sequence, job.eta = None, None, None
                job.status = JobStatus.PENDING
                postponed.append(job_id)
    routes = [
        _write(trip, couriers[trip.courier_id], by_id, prepared.day, actor) for trip in found.trips
    ]
    placed = [stop.job_id for trip in found.trips for stop in trip.stops] + postponed
    if placed:  # a job on a trip is no longer "unplanned" that day (a postponed one: anew)
        db.session.execute(
            delete(UnplannedJob).where(
                UnplannedJob.day == prepared.day, UnplannedJob.job_id.in_(placed)
            )
        )
    for job_id in postponed:
        db.session.add(
            UnplannedJob(
                day=prepared.day,
                job_id=job_id,
                reason=routing.UnplannedReason.POSTPONED.value,
                message=f"{routing.UNPLANNED_LABELS[routing.UnplannedReason.POSTPONED]}. "
                f"{POSTPONED}",
            )
        )
    left = [by_id[i] for i in found.unplanned]
    note_unplanned(prepared.day, [job.id for job in left], TOO_LATE)
    return TripResult(routes, left)


def note_unplanned(day: date, job_ids: list[int], why: str) -> None:
    """Add why no trip serves these far jobs to the reason each is listed as unplanned on the
    day (a job the day plan did not consider gets its row). Flushes."""
    if not job_ids:
        return
    rows = {
        row.job_id: row
        for row in db.session.scalars(
            select(UnplannedJob).where(UnplannedJob.day == day, UnplannedJob.job_id.in_(job_ids))
        )
    }
    for job_id in job_ids:
        row = rows.get(job_id)
        if row is None:
            db.session.add(
                UnplannedJob(
                    day=day,
                    job_id=job_id,
                    reason=routing.UnplannedReason.SHIFT_LENGTH.value,
                    message=f"{routing.UNPLANNED_LABELS[routing.UnplannedReason.SHIFT_LENGTH]}. "
                    f"{why}",
                )
            )
        elif why not in row.message:
            row.message = f"{row.message} {why}"[:500]
    db.session.flush()


def plan(
    day: date, actor: User, seconds: float | None = None, branch_id: int | None = None
) -> TripResult:
    """Plan trips from `day` for the hub couriers with no stops that day, to the jobs waiting
    that no working courier reaches within a shift and that have a road (prepare, solve and
    apply in one transaction). Flushes.

    :raises DispatchError: when there is no such job, or no free hub courier.
    """
    prepared = prepare(day, branch_id)
    return apply(prepared, solve(prepared, seconds), actor)


def _write(trip: rules.Trip, courier, jobs: dict[int, Job], day: date, actor: User) -> Route:
    """The trip as the courier's route of `day`: stops in order with their day and time."""
    route = courier.route
    if route is None:
        route = Route(courier_id=courier.user.id, day=day, branch_id=courier.user.branch_id)
        db.session.add(route)
    route.days = trip.days
    db.session.flush()
    start = courier.profile.shift_start
    for sequence, stop in enumerate(trip.stops, start=1):
        job = jobs[stop.job_id]
        shift_start = datetime.combine(day + timedelta(days=stop.day), start, tzinfo=LIMA_TZ)
        job.route_id, job.sequence, job.trip_day = route.id, sequence, stop.day
        job.eta = shift_start + timedelta(minutes=stop.start_min)
        job.status = JobStatus.PLANNED
    route.distance_km = round(trip.distance_m / 1000, 1)
    route.duration_minutes = None
    route.updated_at = utcnow()
    db.session.flush()
    db.session.expire(route, ["jobs"])
    audit.record(
        "trip_planned",
        entity="route",
        entity_id=route.id,
        actor=actor,
        note=f"{courier.user.full_name}: viaje de {trip.days} días desde el {day:%d/%m/%Y}, "
        f"{len(trip.stops)} paradas, {route.distance_km:.0f} km",
    )
    return route
