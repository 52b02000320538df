"""Check routes without trusting any solver: replay, reasons for unplanned jobs, a baseline plan.

`replay` recomputes arrival times and loads of a route from the problem's matrices alone, so
tests (and a dispatcher's manual edit) can verify any plan. `nearest_neighbour` is the plan a
dispatcher makes by hand, kept as the benchmark baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldapp.domain.routing_model import (
    Courier,
    CourierId,
    JobId,
    JobRequest,
    Plan,
    PlannedStop,
    Problem,
    RoutePlan,
    Unplanned,
    UnplannedReason,
)

EPS = 1e-6  # minutes; float noise, far below anything a courier notices


@dataclass(frozen=True)
class Replay:
    """A route recomputed from the matrices, with every rule it breaks (Spanish messages)."""

    route: RoutePlan
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """Return True when the route breaks no rule."""
        return not self.violations


def hhmm(minutes: float) -> str:
    """Return minutes from midnight as HH:MM."""
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def replay(route: RoutePlan, problem: Problem) -> Replay:
    """Recompute a route's times, loads and distance and list the rules it breaks.

    :raises KeyError: if the route names an unknown courier or job.
    """
    return schedule(problem, route.courier_id, route.job_ids)


def schedule(problem: Problem, courier_id: CourierId, job_ids: Sequence[JobId]) -> Replay:
    """Time a courier's visiting order: leave as late as waiting allows, then check every rule.

    :raises KeyError: if the courier or a job is unknown.
    """
    courier = problem.courier(courier_id)
    positions = {job.id: k for k, job in enumerate(problem.jobs)}
    order = [positions[job_id] for job_id in job_ids]
    first = _simulate(problem, courier, order, courier.shift_start_min)
    # Leaving later by the waiting that no window needs shortens the day and changes nothing
    # else (forward time slack, Savelsbergh 1992).
    delay = _departure_slack(problem, order, first)
    timed = _simulate(problem, courier, order, courier.shift_start_min + delay) if delay else first
    violations = list(timed.violations) + _lock_violations(problem, courier, order)
    if len(set(order)) != len(order):
        violations.append("Un trabajo aparece más de una vez en la ruta.")
    return Replay(timed.route, tuple(violations))


def _simulate(problem: Problem, courier: Courier, order: list[int], depart: float) -> Replay:
    dist, dur = problem.distance_m, problem.duration_min
    base = problem.depot_index(courier.depot.id)
    load = sum(problem.jobs[k].delivery for k in order)
    load_start, violations = load, []
    if load > courier.capacity:
        violations.append(f"Sale de la base con {load} equipos; capacidad {courier.capacity}.")
    here, clock, metres, stops = base, depart, 0.0, []
    for k in order:
        job = problem.jobs[k]
        there = problem.job_index(k)
        metres += dist[here][there]
        arrival = clock + dur[here][there]
        start = max(arrival, job.window[0]) if job.window else arrival
        if job.window and start > job.window[1] + EPS:
            violations.append(
                f"Trabajo {job.id}: llega a las {hhmm(start)}, "
                f"fuera del horario {hhmm(job.window[0])}–{hhmm(job.window[1])}."
            )
        load += job.pickup - job.delivery
        if load > courier.capacity:
            violations.append(
                f"Trabajo {job.id}: lleva {load} equipos; capacidad {courier.capacity}."
            )
        clock = start + job.service_min
        stops.append(PlannedStop(job.id, arrival, start, clock, load))
        here = there
    metres += dist[here][base]
    end = clock + dur[here][base]
    if end > courier.shift_end_min + EPS:
        violations.append(
            f"Vuelve a la base a las {hhmm(end)}, después del fin de turno "
            f"({hhmm(courier.shift_end_min)})."
        )
    route = RoutePlan(courier.id, tuple(stops), depart, end, metres, load_start)
    return Replay(route, tuple(violations))


def _departure_slack(problem: Problem, order: list[int], timed: Replay) -> float:
    if timed.violations:
        return 0.0
    waited, slack = 0.0, float("inf")
    for k, stop in zip(order, timed.route.stops, strict=True):
        waited += stop.start_min - stop.arrival_min
        window = problem.jobs[k].window
        if window is not None:
            slack = min(slack, waited + window[1] - stop.start_min)
    return max(0.0, min(waited, slack))


def _lock_violations(problem: Problem, courier: Courier, order: list[int]) -> list[str]:
    found: list[str] = []
    positions: list[tuple[int, JobId]] = []
    for k in order:
        job = problem.jobs[k]
        if job.locked_courier_id is None:
            continue
        if job.locked_courier_id != courier.id:
            found.append(f"Trabajo {job.id}: está fijado al courier {job.locked_courier_id}.")
        elif job.locked_position is not None:
            positions.append((job.locked_position, job.id))
    if [p for p, _ in positions] != sorted(p for p, _ in positions):
        found.append("Las paradas fijadas no respetan el orden fijado.")
    return found


def lone_reason(problem: Problem, job: JobRequest) -> Unplanned | None:
    """Return why a job cannot be served even alone by any allowed courier, or None if it can."""
    allowed = [c for c in problem.couriers if job.locked_courier_id in (None, c.id)]
    if not allowed:
        return Unplanned(job.id, UnplannedReason.NO_ROOM, "No hay couriers en el plan.")
    units = max(job.delivery, job.pickup)
    best_capacity = max(c.capacity for c in allowed)
    if units > best_capacity:
        return Unplanned(
            job.id,
            UnplannedReason.CAPACITY,
            f"Lleva {units} equipos; el vehículo más grande admite {best_capacity}.",
        )
    k = next(i for i, j in enumerate(problem.jobs) if j.id == job.id)
    fitting = [c for c in allowed if c.capacity >= units]
    spare = [c.shift_end_min - c.shift_start_min - _round_trip(problem, c, k) for c in fitting]
    if max(spare) < -EPS:
        trip = min(_round_trip(problem, c, k) for c in fitting)
        shift = max(c.shift_end_min - c.shift_start_min for c in fitting)
        return Unplanned(
            job.id,
            UnplannedReason.SHIFT_LENGTH,
            f"Ida, atención y vuelta desde la base toman {trip / 60:.1f} h; "
            f"el turno más largo dura {shift / 60:.1f} h.",
        )
    if all(schedule(problem, c.id, [job.id]).violations for c in fitting):
        start, end = job.window or (0.0, 0.0)
        return Unplanned(
            job.id,
            UnplannedReason.TIME_WINDOW,
            f"El horario {hhmm(start)}–{hhmm(end)} no se alcanza dentro de ningún turno.",
        )
    return None


def _round_trip(problem: Problem, courier: Courier, k: int) -> float:
    base, there = problem.depot_index(courier.depot.id), problem.job_index(k)
    dur = problem.duration_min
    return dur[base][there] + problem.jobs[k].service_min + dur[there][base]


def leftover_reason(job: JobRequest) -> Unplanned:
    """Return the reason for a job that fits alone but was left off the routes."""
    if job.required:
        return Unplanned(
            job.id, UnplannedReason.NO_ROOM, "Las rutas no tienen tiempo ni espacio libre."
        )
    return Unplanned(job.id, UnplannedReason.POSTPONED, "Vence más adelante; no compensa hoy.")


def nearest_neighbour(problem: Problem) -> Plan:
    """Plan as a dispatcher does by hand: each courier in turn goes to the next job that fits.

    "Next" is the job whose service can start soonest (travel plus any wait for its window),
    the nearest among equals. Locked jobs open their courier's route in their order. Required
    jobs are taken first; an optional job is added only when its detour costs fewer metres than
    its prize.
    """
    alone = {j.id: lone_reason(problem, j) for j in problem.jobs}
    free = {k for k, j in enumerate(problem.jobs) if alone[j.id] is None}
    free -= {k for k, j in enumerate(problem.jobs) if j.locked_courier_id is not None}
    orders: dict[CourierId, list[int]] = {}
    for courier in problem.couriers:
        orders[courier.id] = sorted(
            (
                k
                for k, j in enumerate(problem.jobs)
                if j.locked_courier_id == courier.id and alone[j.id] is None
            ),
            key=lambda k: _lock_key(problem.jobs[k]),
        )
    for required in (True, False):
        for courier in problem.couriers:
            _extend(problem, courier, orders[courier.id], free, required)
    routes = []
    for courier in problem.couriers:
        if orders[courier.id]:
            ids = [problem.jobs[k].id for k in orders[courier.id]]
            routes.append(schedule(problem, courier.id, ids).route)
    planned = {s.job_id for r in routes for s in r.stops}
    unplanned = [alone[j.id] or leftover_reason(j) for j in problem.jobs if j.id not in planned]
    return Plan(tuple(routes), tuple(u for u in unplanned if u is not None))


def _lock_key(job: JobRequest) -> tuple[bool, int]:
    return (job.locked_position is None, job.locked_position or 0)


def _extend(
    problem: Problem, courier: Courier, order: list[int], free: set[int], required: bool
) -> None:
    """Append the next job that still fits to the courier's route, until none does."""
    dist, dur = problem.distance_m, problem.duration_min
    base = problem.depot_index(courier.depot.id)
    timed = _simulate(problem, courier, order, courier.shift_start_min)
    if timed.violations:
        return
    loads = [timed.route.load_start] + [s.load_after for s in timed.route.stops]
    peak, last = max(loads), loads[-1]
    here = problem.job_index(order[-1]) if order else base
    clock = timed.route.stops[-1].departure_min if order else courier.shift_start_min
    while True:
        # The job whose service can start soonest, nearest first: morning jobs in the morning.
        best: tuple[float, float, int] | None = None
        for k in free:
            job = problem.jobs[k]
            if job.required is not required:
                continue
            there = problem.job_index(k)
            if peak + job.delivery > courier.capacity or last + job.pickup > courier.capacity:
                continue
            detour = dist[here][there] + dist[there][base] - dist[here][base]
            if not required and detour > job.prize:
                continue
            start = clock + dur[here][there]
            if job.window:
                if start > job.window[1] + EPS:
                    continue
                start = max(start, job.window[0])
            if start + job.service_min + dur[there][base] > courier.shift_end_min + EPS:
                continue
            if best is None or (start, dist[here][there]) < best[:2]:
                best = (start, dist[here][there], k)
        if best is None:
            return
        start, _, k = best
        job = problem.jobs[k]
        clock = start + job.service_min
        peak, last = max(peak + job.delivery, last + job.pickup), last + job.pickup
        order.append(k)
        free.discard(k)
        here = problem.job_index(k)
