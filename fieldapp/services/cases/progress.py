"""Moving a case through its flow: the only place a case's status changes."""

from __future__ import annotations

from datetime import datetime

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Transition
from fieldapp.domain.deadlines import DeadlineName, case_deadlines
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Case, CaseDeadline, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import job_sync
from fieldapp.services.documents import requests
from fieldapp.services.notifications import outbox

# Which deadline an event meets.
_MEETS = {
    Event.SWAP: DeadlineName.SWAP,
    Event.PICK_UP: DeadlineName.PICKUP,
    Event.REPAIR: DeadlineName.REPAIR,
    Event.DISPATCH_RETURN: DeadlineName.RETURN,
}
# Which timestamp an event stamps on the case.
_STAMPS = {
    Event.RECEIVE_UNIT: "unit_received_at",
    Event.REPAIR: "repaired_at",
    Event.RETURN_UNIT: "returned_at",
}


def apply_event(
    case: Case,
    event: Event,
    actor: User | ApiClient | None,
    note: str | None = None,
    at: datetime | None = None,
) -> Transition:
    """Move `case` by `event`, stamp times, refresh deadlines and write the audit event.

    :raises IllegalTransition: when the flow table does not allow `event` now.
    """
    at = at or utcnow()
    found = case_flow.transition(case.flow, case.status, event)
    previous = case.status
    case.status = found.target
    stamp = _STAMPS.get(event)
    if stamp:
        setattr(case, stamp, at)
    if found.target in case_flow.TERMINAL:
        case.closed_at = at
    if event is Event.VOID:
        case.refilled_cartridges = True
    sync_deadlines(case)
    met = _MEETS.get(event)
    for deadline in case.deadlines:
        if deadline.name == met and deadline.done_at is None:
            deadline.done_at = at
    audit.record(
        event.value,
        entity="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor,
        from_status=previous.value,
        to_status=found.target.value,
        note=note,
    )
    if found.notice is not None:
        outbox.queue(case, found.notice, at=at)
    requests.on_case_event(case, event, at)
    db.session.flush()
    job_sync.sync_for_case(case, now=at)
    return found


def sync_deadlines(case: Case) -> None:
    """Add the deadlines whose clock has started (repair after reception, return after repair)."""
    have = {deadline.name for deadline in case.deadlines}
    for deadline in case_deadlines(
        case.flow,
        case.zone,
        case.distance_band,
        case.received_at,
        case.unit_received_at,
        case.repaired_at,
    ):
        if deadline.name not in have:
            case.deadlines.append(
                CaseDeadline(
                    name=deadline.name, starts_at=deadline.starts_at, due_at=deadline.due_at
                )
            )
