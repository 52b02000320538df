"""Writing the audit log (in the caller's transaction)."""

from __future__ import annotations

from flask import g, has_request_context

from fieldapp.extensions import db
from fieldapp.models import ApiClient, AuditEvent, User


def record(
    action: str,
    *,
    entity: str,
    entity_id: int | None,
    actor: User | ApiClient | None,
    case_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Add one audit event: who (user or API client), what, on which entity, from which request."""
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=entity_id,
        case_id=case_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        actor_user_id=actor.id if isinstance(actor, User) else None,
        actor_api_client_id=actor.id if isinstance(actor, ApiClient) else None,
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(event)
    return event
