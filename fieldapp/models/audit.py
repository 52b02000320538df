"""The audit log: who did what, when, from which request. Only ever added to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One recorded action; there is no update or delete path for these in the app."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a recorded audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEvent) -> None:
    """Audit events are never changed once written.

    :raises AuditLogIsAppendOnly: always.
    """
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditEvent) -> None:
    """Audit events are never deleted.

    :raises AuditLogIsAppendOnly: always.
    """
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be deleted")
