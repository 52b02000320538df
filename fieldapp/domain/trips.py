"""Multi-day trips for hub couriers: a route over several days with overnight stops, for jobs no
single shift can reach (Cusco from Arequipa, Huancavelica from Lima), planned with PyVRP.

The model works in *shift time*: day d of the trip is the interval [d·S, (d+1)·S) of working
minutes, S being the courier's shift length, and the night between two days does not count. A
job due `k` days from the trip's first day must start before (k + 1)·S; the courier is back at
the base before the end of the last day. After solving, each stop's day is its start time
divided by S, and the courier sleeps where the day's work ends (the last stop of the day, or on
the road when a leg runs past the end of the shift).

Customers' agreed time slots are not modelled on a trip (the visit day is agreed instead), except
for stops due on the first day, which keep their window.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pyvrp import Client, Location, ProblemData, VehicleType
from pyvrp import Depot as VrpDepot
from pyvrp import solve as pyvrp_solve
from pyvrp.stop import MaxRuntime

from fieldapp.domain.routing_model import (
    Courier,
    CourierId,
    JobId,
    JobRequest,
    Problem,
)
from fieldapp.domain.wording import count

TIME_SCALE = 1000  # thousandths of a minute, as in domain.routing
DEFAULT_MAX_DAYS = 3
# (decision) Loreto (Iquitos) has no road from the rest of Peru: only a carrier gets there.
NO_ROAD_DEPARTMENTS = ("16",)


def by_road(ubigeo: str, no_road: Sequence[str] = NO_ROAD_DEPARTMENTS) -> bool:
    """Whether a district can be reached by road (its department is not in `no_road`)."""
    return ubigeo[:2] not in no_road


@dataclass(frozen=True)
class TripStop:
    """One stop of a trip: which job, on which day (0 = the first), and when in that day's shift
    (minutes from the shift's start)."""

    job_id: JobId
    day: int
    start_min: float


@dataclass(frozen=True)
class Trip:
    """A courier's route over `days` days, back at the base at the end of the last one."""

    courier_id: CourierId
    days: int
    stops: tuple[TripStop, ...]
    distance_m: float
    overnights: tuple[JobId | None, ...]  # where each night is spent (None: on the road)

    @property
    def job_ids(self) -> tuple[JobId, ...]:
        """The jobs in visiting order."""
        return tuple(stop.job_id for stop in self.stops)


@dataclass(frozen=True)
class TripPlan:
    """The trips found and the jobs no trip could serve in time."""

    trips: tuple[Trip, ...]
    unplanned: tuple[JobId, ...]

    @property
    def planned_ids(self) -> set[JobId]:
        """Every job on a trip."""
        return {stop.job_id for trip in self.trips for stop in trip.stops}


def plan_trips(
    couriers: Sequence[Courier],
    jobs: Sequence[JobRequest],
    due_day: Mapping[JobId, int],
    travel=None,
    *,
    max_days: int = DEFAULT_MAX_DAYS,
    seconds: float = 1.0,
    seed: int = 1,
) -> TripPlan:
    """Plan trips of up to `max_days` days for `couriers` over `jobs` (due `due_day[id]` days
    after the first day; 0 = the first day). Required jobs are kept first; optional ones are
    taken when their prize pays for the detour.

    :raises ValueError: for no couriers, or a job without its due day.
    """
    if not couriers:
        raise ValueError("a trip needs at least one courier")
    if not jobs:
        return TripPlan((), ())
    missing = [job.id for job in jobs if job.id not in due_day]
    if missing:
        raise ValueError(f"jobs without a due day: {missing}")
    started = time.perf_counter()
    problem = Problem.build(couriers, jobs, travel)
    data = _data(problem, due_day, max_days)
    left = max(seconds - (time.perf_counter() - started), 0.05)
    result = pyvrp_solve(data, MaxRuntime(left), seed=seed, collect_stats=False, display=False)
    trips = []
    for route in result.best.routes():
        courier = problem.couriers[route.vehicle_type()]
        order = [problem.jobs[visit.idx].id for visit in route if visit.is_client()]
        trip = check_trip(problem, courier, order, due_day, max_days)
        if trip is not None:
            trips.append(trip)
    planned = {stop.job_id for trip in trips for stop in trip.stops}
    return TripPlan(tuple(trips), tuple(job.id for job in jobs if job.id not in planned))


def _shift(courier: Courier) -> float:
    return courier.shift_end_min - courier.shift_start_min


def _data(problem: Problem, due_day: Mapping[JobId, int], max_days: int) -> ProblemData:
    """The PyVRP data in shift time (see the module's docstring)."""
    depots = problem.depots
    size = len(depots) + len(problem.jobs)
    distance = np.rint(np.asarray(problem.distance_m, dtype=float)).astype(np.int64)
    duration = np.ceil(np.asarray(problem.duration_min, dtype=float) * TIME_SCALE - 1e-6)
    duration = duration.astype(np.int64)
    np.fill_diagonal(distance, 0)
    np.fill_diagonal(duration, 0)
    locations = [Location(x=d.lon, y=d.lat) for d in depots] + [
        Location(x=j.lon, y=j.lat) for j in problem.jobs
    ]
    # The shortest shift bounds everyone's days, so a due day means the same for every courier.
    shift = min(_shift(c) for c in problem.couriers)
    must_prize = 3 * int(distance.max()) + 1
    clients = []
    for k, job in enumerate(problem.jobs):
        day = max(due_day[job.id], 0)
        late = min(day + 1, max_days) * shift
        early = 0.0
        if job.window is not None and day == 0:
            start = problem.couriers[0].shift_start_min
            early, late = max(job.window[0] - start, 0.0), min(job.window[1] - start, late)
        clients.append(
            Client(
                location=len(depots) + k,
                delivery=[job.delivery],
                pickup=[job.pickup],
                service_duration=math.ceil(job.service_min * TIME_SCALE),
                tw_early=math.ceil(early * TIME_SCALE),
                tw_late=math.floor(late * TIME_SCALE),
                # Required jobs are worth more than any detour, so as many as fit are kept even
                # when not all of them can be.
                prize=job.prize + (must_prize if job.required else 0),
                required=False,
                name=str(job.id),
            )
        )
    depot_of = {d.id: i for i, d in enumerate(depots)}
    vehicles = [
        VehicleType(
            num_available=1,
            capacity=[courier.capacity],
            start_depot=depot_of[courier.depot.id],
            end_depot=depot_of[courier.depot.id],
            tw_early=0,
            tw_late=math.floor(max_days * shift * TIME_SCALE),
            name=str(courier.id),
        )
        for courier in problem.couriers
    ]
    assert size == len(locations)
    return ProblemData(
        locations,
        clients,
        [VrpDepot(location=i) for i in range(len(depots))],
        vehicles,
        [distance],
        [duration],
    )


def check_trip(
    problem: Problem,
    courier: Courier,
    order: Sequence[JobId],
    due_day: Mapping[JobId, int],
    max_days: int,
) -> Trip | None:
    """Replay `order` for `courier` in shift time: each stop's day and start, the nights, the
    distance; None when it is empty or breaks a due day, the capacity or the last day's end."""
    if not order:
        return None
    jobs = {job.id: (k, job) for k, job in enumerate(problem.jobs)}
    shift = min(_shift(c) for c in problem.couriers)
    base = problem.depot_index(courier.depot.id)
    here, now, metres = base, 0.0, 0.0
    load = sum(jobs[i][1].delivery for i in order)
    if load > courier.capacity:
        return None
    stops = []
    for job_id in order:
        k, job = jobs[job_id]
        there = problem.job_index(k)
        now += problem.duration_min[here][there]
        metres += problem.distance_m[here][there]
        if job.window is not None and max(due_day[job_id], 0) == 0:
            now = max(now, job.window[0] - courier.shift_start_min)
            if now > job.window[1] - courier.shift_start_min + 1e-6:
                return None
        day = int(now // shift)
        if day > max(due_day[job_id], 0) or day >= max_days:
            return None
        stops.append(TripStop(job_id, day, round(now - day * shift, 1)))
        now += job.service_min
        load += job.pickup - job.delivery
        if load > courier.capacity:
            return None
        here = there
    now += problem.duration_min[here][base]
    metres += problem.distance_m[here][base]
    days = max(math.ceil(now / shift - 1e-9), 1)
    if days > max_days:
        return None
    nights = tuple(
        next((s.job_id for s in reversed(stops) if s.day == night), None)
        for night in range(days - 1)
    )
    return Trip(courier.id, days, tuple(stops), metres, nights)


@dataclass(frozen=True)
class TripOutcome:
    """What the trip planning of an optimisation run did: trips made, their stops, the far jobs
    no trip reaches in time, or why no trip could be planned (`failure`)."""

    trips: int = 0
    stops: int = 0
    left: int = 0
    failure: str | None = None

    def summary(self) -> str:
        """One Spanish sentence for the run's result ("" when there was nothing far to plan)."""
        parts = []
        if self.trips:
            parts.append(
                f"A viajes de hubs: {count(self.stops, 'parada', 'paradas')} "
                f"en {count(self.trips, 'viaje', 'viajes')}."
            )
        if self.failure:
            parts.append(f"Viajes no planificados: {self.failure}")
        if self.left:
            parts.append(
                f"{count(self.left, 'trabajo lejano', 'trabajos lejanos')} sin viaje a tiempo."
            )
        return " ".join(parts)
