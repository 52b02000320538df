"""Actions a courier's phone sent while working a stop, each applied exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class SyncAction(db.Model):
    """One queued action from a phone, keyed by the id the phone made; the first answer is kept
    so a replay gets the same answer without applying the action twice."""

    __tablename__ = "sync_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(JSON)
