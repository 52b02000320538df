"""The background jobs. Each is idempotent on the rows it works from (a job sent twice does its
work once) and commits its own units of work; `JOBS` is what the queue declares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app

from fieldapp import clock
from fieldapp.domain import routing
from fieldapp.domain.trips import TripOutcome
from fieldapp.extensions import db
from fieldapp.models import OutboxMessage, User
from fieldapp.models.types import utcnow
from fieldapp.ops import privacy
from fieldapp.services.dispatch import optimisation, optimisation_runs, trip_planning
from fieldapp.services.dispatch.errors import DispatchError, StaleRoute
from fieldapp.services.documents import issuing
from fieldapp.services.notifications import delivery, outbox
from fieldapp.transaction import unit_of_work

log = logging.getLogger(__name__)

# A run still queued this long after it was requested lost its job: the sweep runs it.
SWEEP_RUNS_AFTER = timedelta(seconds=30)


# -- documents ----------------------------------------------------------------------------------


def issue_document(request_id: int) -> None:
    """Issue one requested document; a failure is noted on the request and raised (retried)."""
    now = utcnow()
    try:
        with unit_of_work():
            issuing.issue(request_id, now)
    except Exception as exc:
        with unit_of_work():
            issuing.record_failure(request_id, exc, now)
        raise


def issue_pending(now: datetime | None = None, limit: int = 50) -> issuing.IssueReport:
    """Issue up to `limit` due requests, one transaction each (the sweep and the CLI)."""
    now = now or utcnow()
    report = issuing.IssueReport()
    with unit_of_work():
        due = issuing.due_request_ids(now, limit)
    for request_id in due:
        try:
            with unit_of_work():
                document = issuing.issue(request_id, now)
        except Exception as exc:  # one bad document must not stop the others
            with unit_of_work():
                issuing.record_failure(request_id, exc, now)
            report.failed += 1
        else:
            if document is None:
                report.skipped += 1
            else:
                report.issued += 1
    return report


# -- mail ---------------------------------------------------------------------------------------


def deliver_pending(now: datetime | None = None, limit: int = 50) -> delivery.DeliveryReport:
    """Send up to `limit` due messages: each claimed in its own commit, then sent, then its
    outcome committed. A message is marked sent only once the server accepted it (or its .eml
    file was written); a mail server that is away ends the run (the rest wait)."""
    now = now or utcnow()
    report = delivery.DeliveryReport()
    with unit_of_work():
        due = delivery.due_message_ids(now, limit)
    transport = delivery.open_transport()
    try:
        for message_id in due:
            with unit_of_work():
                claimed = delivery.claim(message_id, now)
            if not claimed:
                report.skipped += 1
                continue
            with unit_of_work():
                message = db.session.get(OutboxMessage, message_id)
                outcome = delivery.send_one(message, transport, now)
            if outcome == "sent":
                report.sent += 1
                continue
            report.failed += 1
            if outcome == "down":
                break
    finally:
        transport.close()
    with unit_of_work():
        report.pending = delivery.pending_count()
    return report


def deliver_mail() -> None:
    """Send the outbox (the periodic job, and the nudge after a notice is queued)."""
    deliver_pending(limit=200)


def check_deadlines() -> tuple[int, delivery.DeliveryReport]:
    """Warn once of every deadline at risk or overdue, then send the mail; how many were
    warned and what the delivery did."""
    with unit_of_work():
        warned = outbox.warn_at_risk()
    return warned, deliver_pending(limit=200)


# -- dispatch -----------------------------------------------------------------------------------


def optimise(
    day: date, actor: User, seconds: float | None = None, branch_id: int | None = None
) -> optimisation.OptimiseResult:
    """Plan the day and apply the plan, then send free hub couriers on trips to the jobs no
    shift reaches (solving with no transaction open: a 5 s search must not hold the database).

    :raises DispatchError: when no courier works on the day.
    :raises StaleRoute: when the day's jobs changed while it was being solved (nothing written).
    """
    with unit_of_work():
        prepared = optimisation.prepare_optimisation(day, branch_id)
    budget = seconds if seconds is not None else current_app.config["ROUTING_SECONDS"]
    plan = routing.solve(prepared.problem, budget, seed=current_app.config["ROUTING_SEED"])
    with unit_of_work():
        result = optimisation.apply_optimisation(prepared, plan, actor)
    return replace(result, trips=plan_trips(day, actor, budget, branch_id))


def plan_trips(day: date, actor: User, seconds: float, branch_id: int | None = None) -> TripOutcome:
    """After the day's plan: trips of hub couriers to the jobs still waiting that no shift
    reaches. A trip that cannot be made (no hub courier can leave, a change meanwhile, an
    error) leaves the day plan as it is and the far jobs listed as unplanned with why."""
    far: tuple[int, ...] = ()
    try:
        with unit_of_work():
            prepared = trip_planning.prepare(day, branch_id)
        far = prepared.far_ids
        if not far:
            return TripOutcome()
        found = trip_planning.solve(prepared, seconds)
        with unit_of_work():
            made = trip_planning.apply(prepared, found, actor)
    except Exception as exc:  # the day plan is applied already: it stands whatever happens here
        if isinstance(exc, DispatchError):
            why = str(exc)
        else:
            log.exception("trip planning of %s failed", day)
            why = "error interno al planificar viajes (ver registros)."
        with unit_of_work():
            trip_planning.note_unplanned(day, list(far), why)
        return TripOutcome(left=len(far), failure=why)
    return TripOutcome(
        trips=len(made.routes),
        stops=sum(len(trip.stops) for trip in found.trips),
        left=len(made.left),
    )


def optimise_day(run_id: int) -> None:
    """Run a queued optimisation and record how it ended (applied, stale or failed)."""
    with unit_of_work():
        run = optimisation_runs.start(run_id)
        if run is None:
            return
        day, budget, actor_id, branch_id = (
            run.day,
            run.budget_seconds,
            run.requested_by_id,
            run.branch_id,
        )
    try:
        result = optimise(day, db.session.get(User, actor_id), budget, branch_id)
    except DispatchError as exc:
        with unit_of_work():
            run = optimisation_runs.get(run_id)
            optimisation_runs.fail(run, str(exc), stale=isinstance(exc, StaleRoute))
        return
    except Exception:
        with unit_of_work():
            run = optimisation_runs.get(run_id)
            optimisation_runs.fail(run, "No se pudo optimizar: error interno (ver registros).")
        raise
    with unit_of_work():
        optimisation_runs.finish(optimisation_runs.get(run_id), result)


# -- privacy ------------------------------------------------------------------------------------


def anonymise() -> None:
    """Anonymise the customers past the retention period (Ley 29733), then delete their files."""
    with unit_of_work():
        report = privacy.anonymise_customers(current_app.config["RETENTION_DAYS"])
    privacy.delete_files(report)
    if report.customer_ids:
        log.info("anonymised %s customers", len(report.customer_ids))


# -- the sweep ----------------------------------------------------------------------------------


def sweep() -> None:
    """Catch up on anything whose job was lost (sent while the queue was away, or a process
    killed between commit and send): issue due documents, deliver due mail, run optimisations
    still queued after a while."""
    issue_pending(limit=200)
    deliver_pending(limit=200)
    with unit_of_work():
        forgotten = optimisation_runs.queued_before(clock.now() - SWEEP_RUNS_AFTER)
    for run_id in forgotten:
        optimise_day(run_id)


@dataclass(frozen=True)
class Job:
    """How the queue runs a job: its queue and retry policy (backoff doubles up to the max)."""

    run: Callable[..., object]
    queue: str = "default"
    max_retries: int = 10
    min_backoff_ms: int = 2_000
    max_backoff_ms: int = 15 * 60_000
    time_limit_ms: int = 10 * 60_000


JOBS: dict[str, Job] = {
    "issue_document": Job(issue_document),
    "deliver_mail": Job(deliver_mail),
    "check_deadlines": Job(check_deadlines),
    # A plan is made for the board as it is now: never retried (the dispatcher presses again).
    "optimise_day": Job(optimise_day, queue="optimise", max_retries=0),
    "anonymise": Job(anonymise),
    "sweep": Job(sweep, max_retries=0),
}
