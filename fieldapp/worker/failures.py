"""Jobs that raised, recorded for the admin (`/admin/jobs`) while they keep failing."""

from __future__ import annotations

import logging

from dramatiq import Middleware
from flask import Flask
from sqlalchemy import delete, select

from fieldapp.extensions import db
from fieldapp.models import FailedJob
from fieldapp.models.types import utcnow
from fieldapp.transaction import unit_of_work

log = logging.getLogger(__name__)


class FailureLog(Middleware):
    """After each try of a job: a failure is written (error, attempts, whether retries are
    exhausted); a success removes what an earlier try wrote. Placed before Dramatiq's Retries
    middleware, so its `after_` hook runs after Retries decided whether to try again."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def after_process_message(self, broker, message, *, result=None, exception=None):
        """Record the outcome of one try."""
        try:
            with self.app.app_context(), unit_of_work():
                if exception is None:
                    db.session.execute(
                        delete(FailedJob).where(FailedJob.message_id == message.message_id)
                    )
                else:
                    _record(message, exception)
        except Exception:  # the log must never take the worker down
            log.exception("could not record the outcome of job %s", message.actor_name)

    def after_skip_message(self, broker, message):
        """A message skipped (too old) counts as given up."""
        self.after_process_message(broker, message, exception=RuntimeError("omitido"))


def _record(message, exception: BaseException) -> None:
    now = utcnow()
    error = f"{type(exception).__name__}: {exception}"[:2000]
    found = db.session.scalar(select(FailedJob).where(FailedJob.message_id == message.message_id))
    if found is None:
        found = FailedJob(
            message_id=message.message_id,
            job=message.actor_name,
            arguments=", ".join(str(a) for a in message.args)[:200],
            attempts=0,
            error=error,
            first_failed_at=now,
        )
        db.session.add(found)
    found.attempts += 1
    found.error = error
    found.last_failed_at = now
    found.gave_up = bool(getattr(message, "failed", False))
