"""How the background work is doing, from the rows that record it: what waits and for how
long (the health check), and what keeps failing (the admin's page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from fieldapp.extensions import db
from fieldapp.models import DocumentRequest, FailedJob, OptimisationRun, OutboxMessage, RunStatus


@dataclass(frozen=True)
class QueueStatus:
    """What waits: counts, and the age of the oldest waiting item in seconds (0 when none)."""

    documents_waiting: int
    mail_waiting: int
    optimisations_waiting: int
    failed_jobs: int
    oldest_waiting_seconds: float

    def as_dict(self) -> dict[str, float | int]:
        """For the JSON health check."""
        return {
            "documents_waiting": self.documents_waiting,
            "mail_waiting": self.mail_waiting,
            "optimisations_waiting": self.optimisations_waiting,
            "failed_jobs": self.failed_jobs,
            "oldest_waiting_seconds": round(self.oldest_waiting_seconds, 1),
        }


def _waiting(column, *where) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(select(func.count(), func.min(column)).where(*where)).one()
    return count, oldest


def status(now: datetime) -> QueueStatus:
    """The queue as of `now`: only work that is due counts as waiting (a retry scheduled for
    later is not late yet)."""
    documents, oldest_document = _waiting(
        DocumentRequest.requested_at,
        DocumentRequest.done_at.is_(None),
        DocumentRequest.next_attempt_at <= now,
    )
    mail, oldest_mail = _waiting(
        OutboxMessage.created_at,
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
    )
    runs, oldest_run = _waiting(
        OptimisationRun.created_at, OptimisationRun.status == RunStatus.QUEUED
    )
    failed = db.session.scalar(select(func.count(FailedJob.id)))
    stamps = [s for s in (oldest_document, oldest_mail, oldest_run) if s is not None]
    oldest = max(((now - s).total_seconds() for s in stamps), default=0.0)
    return QueueStatus(documents, mail, runs, failed, max(oldest, 0.0))


@dataclass(frozen=True)
class Failures:
    """What keeps failing, for the admin."""

    jobs: list[FailedJob]
    documents: list[DocumentRequest]
    mail: list[OutboxMessage]


def failures(limit: int = 100) -> Failures:
    """Failed jobs (newest first), and documents and messages whose last attempt failed."""
    return Failures(
        jobs=list(
            db.session.scalars(
                select(FailedJob).order_by(FailedJob.last_failed_at.desc()).limit(limit)
            )
        ),
        documents=list(
            db.session.scalars(
                select(DocumentRequest)
                .where(DocumentRequest.done_at.is_(None), DocumentRequest.attempts > 0)
                .order_by(DocumentRequest.id)
                .limit(limit)
            )
        ),
        mail=list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        ),
    )
