"""Optimising a day's board: the routing problem of the day read in one go (`prepare`), solved
outside any transaction by the caller, and the plan written onto the day's routes (`apply`)
unless a job changed meanwhile. `optimisation_runs` queues and records the runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.domain import routing
from fieldapp.domain.deadlines import end_of_day
from fieldapp.domain.trips import TripOutcome
from fieldapp.extensions import db
from fieldapp.models import Job, UnplannedJob, User
from fieldapp.services import audit
from fieldapp.services.dispatch import board
from fieldapp.services.dispatch.errors import DispatchError, StaleRoute
from fieldapp.services.dispatch.problem import PLANNABLE
from fieldapp.services.dispatch.route_edits import route_for, take_off, write


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
    state = board.of_day(day, branch_id)
    if not any(c.available for c in state.couriers):
        raise DispatchError("Ningún courier está disponible este día.")
    # Jobs due within three days compete for today's routes; later ones wait.
    horizon = end_of_day(day + timedelta(days=3))
    waiting = [job for job in state.to_plan if job.due_at <= horizon]
    problem, chosen = state.problem(waiting)
    versions = {job_id: job.version for job_id, job in chosen.items()}
    return Optimisation(day, branch_id, problem, versions)


def apply_optimisation(prepared: Optimisation, plan: routing.Plan, actor: User) -> OptimiseResult:
    """Write a solved plan onto the day's routes, unless a job changed since it was prepared.
    Flushes.

    :raises StaleRoute: when another optimisation or edit changed the day's routes meanwhile.
    """
    state = board.of_day(prepared.day, prepared.branch_id)
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


def _apply(state: board.Board, plan: routing.Plan, chosen: dict[int, Job], day: date, actor: User):
    """Write an optimised plan onto the day's routes (flushes; a concurrent change raises)."""
    for courier in state.couriers:
        if not courier.available:
            continue
        found = plan.route_of(courier.user.id)
        if found is None and courier.route is None:
            continue
        route = route_for(state, courier.user.id)
        keep = set(found.job_ids) if found else set()
        for job in list(route.jobs):
            if job.id not in keep and job.status in PLANNABLE:
                take_off(job, actor)
        write(route, found, chosen, day)
    for missing in plan.unplanned:
        job = chosen[missing.job_id]
        if job.route_id is not None and job.status in PLANNABLE:
            take_off(job, actor)
    keep_unplanned(day, list(plan.unplanned))
    audit.record(
        "routes_optimised",
        entity="route",
        entity_id=None,
        actor=actor,
        note=f"{day:%d/%m/%Y}: {len(plan.planned_ids)} paradas, {plan.distance_m / 1000:.1f} km",
    )
    db.session.flush()
