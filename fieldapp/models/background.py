"""Background work the people using the app can see: optimiser runs and jobs that failed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow
from fieldapp.models.user import User


class RunStatus(StrEnum):
    """Where an optimiser run is."""

    QUEUED = "queued"
    RUNNING = "running"
    APPLIED = "applied"
    STALE = "stale"  # the day changed while it ran: the plan was not applied
    FAILED = "failed"


class OptimisationRun(db.Model):
    """One press of "Optimizar": queued by the board, solved and applied by the worker."""

    __tablename__ = "optimisation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    # The branch whose board was optimised (None: every branch's couriers and cases).
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.QUEUED)
    budget_seconds: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str | None] = mapped_column(String(300))

    requested_by: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        """Whether the worker is done with it (applied, stale or failed)."""
        return self.status in (RunStatus.APPLIED, RunStatus.STALE, RunStatus.FAILED)


class FailedJob(db.Model):
    """A background job that raised: kept (one row per queued message) while it keeps failing,
    so the admin sees the error; removed when a retry succeeds."""

    __tablename__ = "failed_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    job: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=1)
    error: Mapped[str] = mapped_column(Text)
    gave_up: Mapped[bool] = mapped_column(default=False)  # no retry left
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
