"""The routing problem of a dispatch day: couriers and jobs from the database turned into the
routing domain's values, with travel matrices from OSRM when configured, else the travel model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import select

from fieldapp import clock
from fieldapp.domain import routing
from fieldapp.domain.deadlines import LIMA_TZ, lima_date
from fieldapp.domain.geo import Gazetteer, Zone, zone_for
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.workday import plan_start_min
from fieldapp.extensions import db
from fieldapp.infra import osrm
from fieldapp.models import CourierProfile, Job, Route, User

# Jobs dispatch may (re)plan: waiting, or on a route not yet worked.
PLANNABLE = (JobStatus.PENDING, JobStatus.PLANNED)


def travel_model() -> routing.TravelModel:
    """The travel model from the settings."""
    config = current_app.config
    return routing.TravelModel(
        circuity_by_zone={
            Zone.LIMA: config["ROUTING_CIRCUITY_LIMA"],
            Zone.PROVINCES: config["ROUTING_CIRCUITY_PROVINCES"],
        },
        speed_kmh_by_zone={
            Zone.LIMA: config["ROUTING_SPEED_LIMA_KMH"],
            Zone.PROVINCES: config["ROUTING_SPEED_PROVINCES_KMH"],
        },
    )


def minutes_of_day(at: datetime | None) -> float | None:
    """The Lima time of day of `at` in minutes (None for None). An agreed visit window is a time
    of day: it holds on whichever day the job is planned, whatever board it was set on."""
    if at is None:
        return None
    local = at.astimezone(LIMA_TZ)
    return local.hour * 60 + local.minute


@lru_cache(maxsize=1024)
def base_zone(lat: float, lon: float) -> Zone:
    """The zone of a courier's base, by its nearest district (bases are few and never move, and
    the search scans every district: each is looked up once)."""
    return zone_for(Gazetteer.default().nearest(lat, lon).ubigeo)


def courier_for(
    user: User, profile: CourierProfile, day: date | None = None, now: datetime | None = None
) -> routing.Courier:
    """A courier as the routing domain sees them: base, shift and capacity; on today's plan
    (`now` on `day`) the shift starts no earlier than now."""
    start = profile.shift_start.hour * 60 + profile.shift_start.minute
    end = profile.shift_end.hour * 60 + profile.shift_end.minute
    if day is not None and now is not None:
        start = plan_start_min(day, start, end, now)
    return routing.Courier(
        id=user.id,
        depot=routing.Depot(
            id=f"base-{profile.base_lat:.5f},{profile.base_lon:.5f}",
            lat=profile.base_lat,
            lon=profile.base_lon,
            zone=base_zone(profile.base_lat, profile.base_lon),
        ),
        shift_start_min=start,
        shift_end_min=end,
        capacity=profile.capacity,
    )


def request_for(job: Job, day: date, locked_to: int | None) -> routing.JobRequest:
    """A job as a stop to plan on `day`: required when due by then, else a prize."""
    days_left = (lima_date(job.due_at) - day).days
    required, prize = routing.priority(days_left)
    window = None
    if job.window_start is not None and job.window_end is not None:
        window = (minutes_of_day(job.window_start), minutes_of_day(job.window_end))
    return routing.JobRequest(
        id=job.id,
        lat=job.lat,
        lon=job.lon,
        zone=zone_for(job.ubigeo),
        service_min=float(job.service_minutes),
        delivery=job.units_out,
        pickup=job.units_in,
        window=window,
        required=required,
        prize=prize,
        locked_courier_id=locked_to,
        locked_position=job.sequence if locked_to is not None else None,
    )


def build_problem(
    day: date,
    couriers: Sequence[tuple[User, CourierProfile, Route | None]],
    extra: Sequence[Job] = (),
    now: datetime | None = None,
) -> tuple[routing.Problem, dict[int, Job]]:
    """The problem of the working `couriers` (with their routes' open stops) and `extra` jobs;
    returns it with the jobs by id. Locked stops keep their courier and relative order. `now`
    (default: the app's clock) starts today's shifts no earlier than the current time."""
    planned = [
        job
        for _user, _profile, route in couriers
        if route is not None
        for job in route.jobs
        if job.status in PLANNABLE
    ]
    chosen = {job.id: job for job in [*planned, *extra]}
    requests = [
        request_for(job, day, job_route_courier(job) if job.locked else None)
        for job in chosen.values()
    ]
    at = now if now is not None else clock.now()
    people = [courier_for(user, profile, day, at) for user, profile, _route in couriers]
    points = routing.problem_points(people, requests)
    url = current_app.config["OSRM_URL"]
    distance, duration, _source = osrm.travel_matrices(points, travel_model(), url)
    return routing.Problem(people, requests, distance, duration), chosen


def job_route_courier(job: Job) -> int | None:
    """The courier of the route the job is on, if any."""
    if job.route_id is None:
        return None
    return db.session.scalar(select(Route.courier_id).where(Route.id == job.route_id))
