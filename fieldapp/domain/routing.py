"""Route optimisation for dispatch: a PyVRP model of the day, solved within a time budget.

Public interface (import everything from here):

- values: `Depot`, `Courier`, `JobRequest`, `Problem`, `Plan`, `RoutePlan`, `PlannedStop`,
  `Unplanned`, `UnplannedReason`, `Slot`, `TravelModel`, `Point`;
- helpers: `slot_window`, `service_minutes`, `priority`, `problem_points`;
- `plan(couriers, jobs, travel, matrices=None, seconds=5.0, seed=1)`: build the matrices (road
  table or travel model) and solve, all within `seconds`;
- `solve(problem, seconds, seed)`: optimise a built problem;
- `replay(route, problem)`: independent check of a route; `nearest_neighbour(problem)`: baseline.

The model: one vehicle type per courier (own base, shift window, capacity); one client per job
with delivery and pickup units, service time and a service-start window. Jobs due today are
required, later ones optional with a prize (metres the job is worth). The objective is distance.

Locked stops ride on extra load dimensions, so PyVRP's own feasibility enforces them: for each
consecutive pair (a, b) of a courier's locked chain, a delivers 1 and b picks up 1 of a dimension
in which that courier's capacity equals the number of its pairs there. Visiting b before a puts
2 on board between them and exceeds it; consecutive pairs alternate between two dimensions, so a
stop of one pair never masks another. Locked stops without a position (or alone) deliver and pick
up 1, a constant load. Every other courier has capacity 0 in these dimensions, so a locked stop
fits only on its own courier. Other jobs may still go between locked stops.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence

import numpy as np
from pyvrp import Client, Location, ProblemData, Solution, VehicleType
from pyvrp import Depot as VrpDepot
from pyvrp import solve as pyvrp_solve
from pyvrp.exceptions import PenaltyBoundWarning

from fieldapp.domain.routing_check import (
    Replay,
    hhmm,
    leftover_reason,
    lone_reason,
    nearest_neighbour,
    replay,
    schedule,
)
from fieldapp.domain.routing_model import (
    DEFAULT_SERVICE_MIN,
    DEFAULT_SLOT_WINDOWS,
    SLOT_LABELS,
    UNPLANNED_LABELS,
    Courier,
    CourierId,
    Depot,
    JobId,
    JobRequest,
    Matrix,
    Plan,
    PlannedStop,
    Point,
    Problem,
    RoutePlan,
    Slot,
    TravelModel,
    Unplanned,
    UnplannedReason,
    priority,
    problem_points,
    service_minutes,
    slot_window,
)

__all__ = [
    "DEFAULT_SERVICE_MIN",
    "DEFAULT_SLOT_WINDOWS",
    "SLOT_LABELS",
    "UNPLANNED_LABELS",
    "Courier",
    "CourierId",
    "Depot",
    "JobId",
    "JobRequest",
    "Plan",
    "PlannedStop",
    "Point",
    "Problem",
    "Replay",
    "RoutePlan",
    "Slot",
    "TravelModel",
    "Unplanned",
    "UnplannedReason",
    "hhmm",
    "nearest_neighbour",
    "plan",
    "priority",
    "problem_points",
    "replay",
    "schedule",
    "service_minutes",
    "slot_window",
    "solve",
]

DEFAULT_SECONDS = 5.0
DEFAULT_SEED = 1
# PyVRP works in integers: metres for distance and thousandths of a minute for time (a minute of
# driving is 370-920 m here, so both are of a size, which PyVRP's neighbourhoods assume; for
# Solomon instances it is the usual "x1000" for both). Travel and service times round up and
# windows inwards, so a route PyVRP finds feasible is feasible in exact minutes.
TIME_SCALE = 1000
# Loads are a few units while distances run to 10^5 metres or more; PyVRP's penalty per unit of
# excess load is bounded, so units are scaled up to keep an overload always worse than a detour.
LOAD_SCALE = 1000
MIN_SEARCH_SECONDS = 0.05
PROBE_FRACTION = 0.4
INFEASIBLE_COST = 2**63 - 1  # what PyVRP's cost() reports for an infeasible solution


def plan(
    couriers: Sequence[Courier],
    jobs: Sequence[JobRequest],
    travel: TravelModel | None = None,
    *,
    matrices: tuple[Matrix, Matrix] | None = None,
    seconds: float = DEFAULT_SECONDS,
    seed: int = DEFAULT_SEED,
    max_iterations: int | None = None,
) -> Plan:
    """Plan the day: matrices (given, e.g. from a road server, or the travel model), then solve.

    `seconds` bounds the whole call, matrices included.

    :raises ValueError: if the inputs are inconsistent (see `Problem`).
    """
    started = time.perf_counter()
    if matrices is None:
        problem = Problem.build(couriers, jobs, travel)
    else:
        problem = Problem(tuple(couriers), tuple(jobs), matrices[0], matrices[1])
    left = seconds - (time.perf_counter() - started)
    return solve(problem, left, seed=seed, max_iterations=max_iterations)


def solve(
    problem: Problem,
    seconds: float = DEFAULT_SECONDS,
    seed: int = DEFAULT_SEED,
    max_iterations: int | None = None,
) -> Plan:
    """Optimise the routes within `seconds`; a fixed seed and `max_iterations` make it repeatable.

    Jobs no courier could serve even alone are left out first, with their reason. If no plan
    with every required job is found in the first 40 % of the budget, the rest of it searches
    with required jobs worth more than any detour, so as many as fit are kept.
    """
    started = time.perf_counter()
    # Stop searching a little early: the last iteration and the assembly must fit in too.
    deadline = started + max(seconds - min(0.1, 0.05 * seconds), MIN_SEARCH_SECONDS)
    alone = {job.id: lone_reason(problem, job) for job in problem.jobs}
    keep = [k for k, job in enumerate(problem.jobs) if alone[job.id] is None]
    sequences: dict[CourierId, list[JobId]] = {}
    if keep:
        model = _Model(problem, keep)
        budget = _Budget(deadline, max_iterations, give_up=PROBE_FRACTION)
        best = _search(model.data(relax=False), budget, seed)
        if not best.is_feasible():
            left = None if max_iterations is None else max(1, max_iterations - budget.iterations)
            later = max(deadline, time.perf_counter() + MIN_SEARCH_SECONDS)
            best = _search(model.data(relax=True), _Budget(later, left), seed)
        sequences = model.sequences(best)
    return _assemble(problem, sequences, alone)


class _Budget:
    """PyVRP stopping criterion: a wall-clock deadline and an optional iteration limit.

    With `give_up`, it also stops once that fraction of the budget has gone by without a
    feasible best solution.
    """

    def __init__(
        self, deadline: float, max_iterations: int | None, give_up: float | None = None
    ) -> None:
        self.started = time.perf_counter()
        self.deadline = deadline
        self.max_iterations = max_iterations
        self.give_up = give_up
        self.iterations = 0

    def __call__(self, best_cost: int) -> bool:
        self.iterations += 1
        now = time.perf_counter()
        if now >= self.deadline:
            return True
        if self.max_iterations is not None and self.iterations > self.max_iterations:
            return True
        if self.give_up is None or best_cost < INFEASIBLE_COST:
            return False
        if self.max_iterations is not None:
            return self.iterations > self.give_up * self.max_iterations
        return now - self.started >= self.give_up * (self.deadline - self.started)


def _search(data: ProblemData, stop: _Budget, seed: int) -> Solution:
    with warnings.catch_warnings():
        # Expected when the required jobs cannot all fit: solve() then relaxes them.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return pyvrp_solve(data, stop, seed=seed, collect_stats=False, display=False).best


def _assemble(
    problem: Problem,
    sequences: dict[CourierId, list[JobId]],
    alone: dict[JobId, Unplanned | None],
) -> Plan:
    routes: list[RoutePlan] = []
    for courier in problem.couriers:
        job_ids = sequences.get(courier.id)
        if not job_ids:
            continue
        checked = schedule(problem, courier.id, job_ids)
        if not checked.feasible:  # only if the search found no feasible plan in time
            checked = _repair(problem, courier.id, job_ids)
        if checked.route.stops:
            routes.append(checked.route)
    planned = {s.job_id for r in routes for s in r.stops}
    unplanned = [
        alone[job.id] or leftover_reason(job) for job in problem.jobs if job.id not in planned
    ]
    return Plan(tuple(routes), tuple(u for u in unplanned if u is not None))


def _repair(problem: Problem, courier_id: CourierId, job_ids: list[JobId]) -> Replay:
    """Drop stops from a route that breaks a rule until it breaks none (least valuable first)."""
    jobs = {job.id: job for job in problem.jobs}
    current = list(job_ids)
    checked = schedule(problem, courier_id, current)
    while checked.violations:
        trials = []
        for job_id in current:
            rest = [other for other in current if other != job_id]
            job = jobs[job_id]
            left = len(schedule(problem, courier_id, rest).violations)
            trials.append((left, job.required, job.prize, job_id))
        *_, worst = min(trials)
        current.remove(worst)
        checked = schedule(problem, courier_id, current)
    return checked


def _up(minutes: float) -> int:
    return math.ceil(minutes * TIME_SCALE - 1e-6)


def _down(minutes: float) -> int:
    return math.floor(minutes * TIME_SCALE + 1e-6)


class _Model:
    """The PyVRP data for a problem restricted to the jobs at `keep` (positions in jobs)."""

    def __init__(self, problem: Problem, keep: list[int]) -> None:
        self.problem = problem
        self.keep = keep
        depots = problem.depots
        index = list(range(len(depots))) + [problem.job_index(k) for k in keep]
        grid = np.ix_(index, index)
        self.distance = np.rint(np.asarray(problem.distance_m, dtype=float)[grid]).astype(np.int64)
        minutes = np.asarray(problem.duration_min, dtype=float)[grid]
        self.duration = np.ceil(minutes * TIME_SCALE - 1e-6).astype(np.int64)
        np.fill_diagonal(self.distance, 0)
        np.fill_diagonal(self.duration, 0)
        self.locations = [Location(x=d.lon, y=d.lat) for d in depots] + [
            Location(x=problem.jobs[k].lon, y=problem.jobs[k].lat) for k in keep
        ]
        self.depots = [VrpDepot(location=i) for i in range(len(depots))]
        self.depot_of = {d.id: i for i, d in enumerate(depots)}
        self.lock_load, self.lock_capacity = _lock_dimensions(problem, keep)

    def data(self, relax: bool) -> ProblemData:
        """Return the PyVRP data; `relax` turns unlocked required jobs into very valuable ones."""
        # Any insertion costs less than three of the longest arcs, so this prize always pays
        # for a job that fits.
        must_prize = 3 * int(self.distance.max()) + 1
        clients = []
        for pos, k in enumerate(self.keep):
            job = self.problem.jobs[k]
            extra_delivery, extra_pickup = self.lock_load.get(k, ([0, 0], [0, 0]))
            dims = 3 if self.lock_capacity else 1
            required = job.required or job.locked_courier_id is not None
            prize = job.prize
            if relax and required and job.locked_courier_id is None:
                required, prize = False, prize + must_prize
            window = {}
            if job.window is not None:
                window = {"tw_early": _up(job.window[0]), "tw_late": _down(job.window[1])}
            clients.append(
                Client(
                    location=len(self.depots) + pos,
                    delivery=[LOAD_SCALE * x for x in [job.delivery, *extra_delivery][:dims]],
                    pickup=[LOAD_SCALE * x for x in [job.pickup, *extra_pickup][:dims]],
                    service_duration=_up(job.service_min),
                    prize=prize,
                    required=required,
                    name=str(job.id),
                    **window,
                )
            )
        vehicle_types = []
        for courier in self.problem.couriers:
            capacity = [courier.capacity]
            if self.lock_capacity:
                capacity += list(self.lock_capacity.get(courier.id, (0, 0)))
            depot = self.depot_of[courier.depot.id]
            vehicle_types.append(
                VehicleType(
                    num_available=1,
                    capacity=[LOAD_SCALE * x for x in capacity],
                    start_depot=depot,
                    end_depot=depot,
                    tw_early=_up(courier.shift_start_min),
                    tw_late=_down(courier.shift_end_min),
                    name=str(courier.id),
                )
            )
        return ProblemData(
            self.locations,
            clients,
            self.depots,
            vehicle_types,
            [self.distance],
            [self.duration],
        )

    def sequences(self, solution: Solution) -> dict[CourierId, list[JobId]]:
        """Return each courier's visiting order (job ids) in a PyVRP solution."""
        found: dict[CourierId, list[JobId]] = {}
        for route in solution.routes():
            courier = self.problem.couriers[route.vehicle_type()]
            found[courier.id] = [
                self.problem.jobs[self.keep[visit.idx]].id for visit in route if visit.is_client()
            ]
        return found


def _lock_dimensions(
    problem: Problem, keep: list[int]
) -> tuple[dict[int, tuple[list[int], list[int]]], dict[CourierId, tuple[int, int]]]:
    """Return extra (delivery, pickup) amounts per locked job and capacities per courier."""
    load: dict[int, tuple[list[int], list[int]]] = {}
    capacity: dict[CourierId, tuple[int, int]] = {}
    for courier in problem.couriers:
        mine = [k for k in keep if problem.jobs[k].locked_courier_id == courier.id]
        if not mine:
            continue
        chain = sorted(
            (k for k in mine if problem.jobs[k].locked_position is not None),
            key=lambda k: problem.jobs[k].locked_position or 0,
        )
        loose = [k for k in mine if problem.jobs[k].locked_position is None]
        if len(chain) == 1:
            loose, chain = loose + chain, []
        for k in mine:
            load[k] = ([0, 0], [0, 0])
        pairs = [0, 0]
        for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False)):
            dim = i % 2
            load[a][0][dim] += 1
            load[b][1][dim] += 1
            pairs[dim] += 1
        for k in loose:
            load[k][0][0] += 1
            load[k][1][0] += 1
        capacity[courier.id] = (pairs[0] + len(loose), pairs[1])
    return load, capacity
