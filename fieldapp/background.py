"""The job queue as the rest of the app sees it: send a job now, or once this transaction commits.

The queue is Dramatiq. With `FIELDAPP_QUEUE_URL=redis://…` every web process sends to Redis and
`flask --app fieldapp worker` processes (as many as wanted, on any machine) take jobs from it.
Without it (the embedded default, SQLite and nothing else running) the broker lives in memory
and `flask --app fieldapp serve` runs the worker threads in the web process itself.

The database, not the queue, is the record of what must be done: a document request or an
outbox message is a row written in the business transaction, and the job that handles it is
only sent after that transaction committed (`after_commit`). If the send is lost (Redis away,
process killed in between), the worker's periodic sweep finds the row and queues it again;
every job is idempotent on those rows, so a job sent twice does its work once.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from fieldapp.extensions import db

log = logging.getLogger(__name__)

_PENDING = "fieldapp_jobs_after_commit"


def after_commit(job: str, *args: int | str | None) -> None:
    """Send `job(*args)` once the current transaction commits (nothing if it rolls back)."""
    pending = db.session.info.setdefault(_PENDING, [])
    if (job, args) not in pending:
        pending.append((job, args))


def send(job: str, *args: int | str | None, delay_ms: int | None = None) -> None:
    """Send `job(*args)` to the queue now.

    :raises KeyError: for a job the worker does not know.
    """
    queue = current_app.extensions["fieldapp_queue"]
    queue.send(job, *args, delay_ms=delay_ms)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    for job, args in pending:
        try:
            send(job, *args)
        except Exception as exc:  # noqa: BLE001 - the sweep sends it later; never fail a commit
            log.warning("job %s not queued now (%s): the sweep will queue it", job, exc)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous) -> None:
    # A savepoint rolled back leaves the outer transaction (and its jobs) in place.
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
