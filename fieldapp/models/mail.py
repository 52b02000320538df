"""The mail outbox: notices wait here until a mail server has accepted them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """One e-mail to one recipient, queued in the same transaction as the change it reports.

    It stays until the server accepts it (`sent_at`); failures are retried with backoff, never
    dropped. `locked_until` is a worker's claim, so two workers never send the same message.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # case:notice:event-or-deadline:recipient-role — the same notice is never queued twice.
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    notice: Mapped[str] = mapped_column(String(32))
    recipient_role: Mapped[str] = mapped_column(String(16))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Error class and SMTP code only (addresses are stripped): no personal data here.
    last_error: Mapped[str | None] = mapped_column(String(200))
    # An issued document sent as a PDF attachment (read from media when the message is built).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
