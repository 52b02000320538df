"""Multi-day trips: dispatch sends a free hub courier on a trip of up to TRIP_MAX_DAYS days to
the jobs no courier reaches within a shift (by road), instead of leaving them unplanned. The
trip is one route starting on the day, with each stop's day and time; the courier is away
(not available) on the trip's other days. Jobs with no road go by carrier instead."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app

from fieldapp.domain import trips as rules
from fieldapp.domain.deadlines import LIMA_TZ, lima_date
from fieldapp.domain.geo import Gazetteer, Zone, zone_for
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Job, Route, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.dispatch import carrier_shipments, planning
from fieldapp.services.dispatch.problem import courier_for, request_for, travel_model


@dataclass(frozen=True)
class TripResult:
    """The routes of the trips planned, and the far jobs no trip could serve in time."""

    routes: list[Route]
    left: list[Job]


def _is_hub(profile) -> bool:
    base = Gazetteer.default().nearest(profile.base_lat, profile.base_lon)
    return zone_for(base.ubigeo) is Zone.PROVINCES


def plan(day: date, actor: User, seconds: float | None = None) -> TripResult:
    """Plan trips from `day` for the hub couriers with no stops that day, to the jobs waiting
    that no working courier reaches within a shift and that have a road. Flushes.

    :raises DispatchError: when there is no such job, or no free hub courier.
    """
    config = current_app.config
    longest = config["TRIP_MAX_DAYS"]
    state = planning.board(day)
    working = [(c.user, c.profile) for c in state.couriers if c.available]
    due = {job.id: (lima_date(job.due_at) - day).days for job in state.to_plan}
    far = [
        job
        for job in state.to_plan
        if job.id in carrier_shipments.suggestions([job], working)
        and rules.by_road(job.ubigeo, config["NO_ROAD_DEPARTMENTS"])
    ]
    if not far:
        raise planning.DispatchError("No hay trabajos fuera del alcance de un turno por carretera.")
    hubs = [
        c
        for c in state.couriers
        if c.available and _is_hub(c.profile) and (c.route is None or not c.route.jobs)
    ]
    if not hubs:
        raise planning.DispatchError("Ningún courier de hub está libre este día para viajar.")
    couriers = {c.user.id: c for c in hubs}
    requests = [request_for(job, day, None) for job in far]
    budget = seconds if seconds is not None else config["ROUTING_SECONDS"]
    found = rules.plan_trips(
        [courier_for(c.user, c.profile) for c in hubs],
        [replace(r, required=True) for r in requests],  # a far job is no nearer later
        {job.id: max(due[job.id], 0) for job in far},
        travel_model(),
        max_days=longest,
        seconds=budget,
        seed=config["ROUTING_SEED"],
    )
    by_id = {job.id: job for job in far}
    routes = [_write(trip, couriers[trip.courier_id], by_id, day, actor) for trip in found.trips]
    return TripResult(routes, [by_id[i] for i in found.unplanned])


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
