"""Which way each job of the day goes: on a courier's day route, on a hub courier's multi-day
trip, or (required jobs neither can serve) by carrier."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from fieldapp.domain.routing import plan
from fieldapp.domain.routing_model import (
    Courier,
    CourierId,
    JobId,
    JobRequest,
    Plan,
    Unplanned,
    UnplannedReason,
)
from fieldapp.domain.trips import DEFAULT_MAX_DAYS, Trip, plan_trips


@dataclass(frozen=True)
class ModePlan:
    """How each job of a day is served: on a courier's day route, on a hub courier's trip, or
    (required jobs neither can serve) by carrier."""

    day: Plan
    trips: tuple[Trip, ...]
    carrier: tuple[JobId, ...]

    def mode_of(self, job_id: JobId) -> str | None:
        """'courier', 'trip', 'carrier' or None (an optional job left for another day)."""
        if any(job_id in trip.job_ids for trip in self.trips):
            return "trip"
        if job_id in self.day.planned_ids:
            return "courier"
        return "carrier" if job_id in self.carrier else None


def plan_modes(
    couriers: Sequence[Courier],
    jobs: Sequence[JobRequest],
    due_day: Mapping[JobId, int],
    travel=None,
    *,
    hubs: set[CourierId],
    by_road: Callable[[JobRequest], bool],
    seconds: float = 5.0,
    trip_seconds: float = 2.0,
    max_days: int = DEFAULT_MAX_DAYS,
    seed: int = 1,
) -> ModePlan:
    """Plan the day (domain.routing), then send hub couriers on multi-day trips to the jobs no
    shift reaches (by road): a hub courier's trip replaces their day route only when it keeps
    every required job of that route. Required jobs still without a plan go by carrier."""
    day = plan(couriers, jobs, travel, seconds=seconds, seed=seed)
    by_id = {job.id: job for job in jobs}
    far = [
        by_id[u.job_id]
        for u in day.unplanned
        if u.reason is UnplannedReason.SHIFT_LENGTH and by_road(by_id[u.job_id])
    ]
    hub_couriers = [c for c in couriers if c.id in hubs]
    accepted: list[Trip] = []
    if far and hub_couriers:
        own = {r.courier_id: set(r.job_ids) for r in day.routes if r.courier_id in hubs}
        # A far job left for a later day is no nearer then: on a trip it is as good as required,
        # with its due day as the deadline.
        candidates = [
            *(replace(job, required=True) for job in far),
            *(by_id[i] for ids in own.values() for i in ids),
        ]
        found = plan_trips(
            hub_couriers,
            candidates,
            due_day,
            travel,
            max_days=max_days,
            seconds=trip_seconds,
            seed=seed,
        )
        for trip in found.trips:
            needed = {i for i in own.get(trip.courier_id, set()) if by_id[i].required}
            if trip.days > 1 and needed <= set(trip.job_ids):
                accepted.append(trip)
    on_trip = {i for trip in accepted for i in trip.job_ids}
    travelling = {trip.courier_id for trip in accepted}
    routes = tuple(r for r in day.routes if r.courier_id not in travelling)
    dropped = [  # optional jobs of a replaced day route that the trip leaves for another day
        Unplanned(i, UnplannedReason.POSTPONED, "Su courier sale de viaje; queda para otro día.")
        for r in day.routes
        if r.courier_id in travelling
        for i in r.job_ids
        if i not in on_trip
    ]
    left = tuple(u for u in day.unplanned if u.job_id not in on_trip)
    kept = Plan(routes, left + tuple(dropped))
    served = on_trip | kept.planned_ids
    carrier = tuple(job.id for job in jobs if job.required and job.id not in served)
    return ModePlan(kept, tuple(accepted), carrier)
