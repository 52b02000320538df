"""What happened to a case: its audit timeline and its jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldapp.domain.roles import ROLE_LABELS, Role
from fieldapp.extensions import db
from fieldapp.models import ApiClient, AuditEvent, Case, Job, User

SYSTEM = "Sistema"


@dataclass(frozen=True)
class TimelineEntry:
    """One audit event as a person reads it; `actor` names the person, `actor_role` only says
    what they do (for readers outside the ST, such as the Call Center)."""

    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    actor: str
    actor_role: str
    entity: str = "case"  # what the statuses belong to: case, job, stock_unit


def timeline(case: Case) -> list[TimelineEntry]:
    """The case's audit events, oldest first, with who did each."""
    stmt = (
        select(AuditEvent, User.full_name, User.role, ApiClient.name)
        .outerjoin(User, AuditEvent.actor_user_id == User.id)
        .outerjoin(ApiClient, AuditEvent.actor_api_client_id == ApiClient.id)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    entries = []
    for event, user_name, role, client_name in db.session.execute(stmt):
        if client_name is not None:
            role_label = "Call Center"
        else:
            role_label = ROLE_LABELS[Role(role)] if role else SYSTEM
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                actor=user_name or client_name or SYSTEM,
                actor_role=role_label,
                entity=event.entity,
            )
        )
    return entries


def jobs(case: Case) -> list[Job]:
    """The case's jobs (visits), oldest first."""
    return list(db.session.scalars(select(Job).where(Job.case_id == case.id).order_by(Job.id)))
