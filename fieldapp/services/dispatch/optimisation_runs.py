"""Optimiser runs: "Optimizar" queues one; the worker solves it and applies the plan, unless
the day changed meanwhile; the board polls it until it is finished."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from fieldapp import background, clock
from fieldapp.domain.wording import count
from fieldapp.extensions import db
from fieldapp.models import OptimisationRun, RunStatus, User
from fieldapp.services.dispatch.optimisation import OptimiseResult

SHOWN_AFTER_FINISH = timedelta(minutes=10)


def request_run(day: date, actor: User, branch_id: int | None = None) -> OptimisationRun:
    """Queue an optimisation of the day's board (one branch's, or every branch's when
    `branch_id` is None); one at a time per board: a run still queued or running is returned
    instead of a second one. Flushes."""
    current = db.session.scalar(
        select(OptimisationRun).where(
            OptimisationRun.day == day,
            OptimisationRun.branch_id.is_(None)
            if branch_id is None
            else OptimisationRun.branch_id == branch_id,
            OptimisationRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
        )
    )
    if current is not None:
        return current
    run = OptimisationRun(
        day=day,
        requested_by_id=actor.id,
        branch_id=branch_id,
        budget_seconds=float(current_app.config["ROUTING_SECONDS"]),
        created_at=clock.now(),
    )
    db.session.add(run)
    db.session.flush()
    background.after_commit("optimise_day", run.id)
    return run


def to_show(day: date, now: datetime) -> OptimisationRun | None:
    """The run the board shows: the day's latest, while it waits or runs and for a while after
    it finished (how it ended); an old result is not news."""
    run = latest(day)
    if run is None or not run.finished or now - run.finished_at <= SHOWN_AFTER_FINISH:
        return run
    return None


def get(run_id: int) -> OptimisationRun | None:
    """A run by id."""
    return db.session.get(OptimisationRun, run_id)


def latest(day: date) -> OptimisationRun | None:
    """The day's most recent run."""
    return db.session.scalar(
        select(OptimisationRun)
        .where(OptimisationRun.day == day)
        .order_by(OptimisationRun.id.desc())
        .limit(1)
    )


def queued_before(moment: datetime) -> list[int]:
    """The runs still queued that were requested before `moment`, oldest first."""
    return list(
        db.session.scalars(
            select(OptimisationRun.id)
            .where(OptimisationRun.status == RunStatus.QUEUED, OptimisationRun.created_at < moment)
            .order_by(OptimisationRun.id)
        )
    )


def start(run_id: int) -> OptimisationRun | None:
    """Mark a queued run as running (None if it is gone or already taken). Flushes."""
    run = db.session.get(OptimisationRun, run_id, with_for_update=True)
    if run is None or run.status is not RunStatus.QUEUED:
        return None
    run.status = RunStatus.RUNNING
    run.started_at = clock.now()
    db.session.flush()
    return run


def finish(run: OptimisationRun, result: OptimiseResult) -> None:
    """The plan was applied: say so, and how many far jobs went on hub couriers' trips (why
    each job was left out stays with the plan, see `optimisation.keep_unplanned`). Flushes."""
    km = result.plan.distance_m / 1000
    planned = count(len(result.plan.planned_ids), "parada", "paradas")
    run.status = RunStatus.APPLIED
    run.finished_at = clock.now()
    run.message = " ".join(
        part
        for part in (f"Plan optimizado: {planned}, {km:.1f} km.", result.trips.summary())
        if part
    )[:300]
    db.session.flush()


def fail(run: OptimisationRun, message: str, *, stale: bool = False) -> None:
    """The plan was not applied (the day changed meanwhile, or it could not be made). Flushes."""
    run.status = RunStatus.STALE if stale else RunStatus.FAILED
    run.finished_at = clock.now()
    run.message = message[:300]
    db.session.flush()
