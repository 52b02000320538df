"""E-mail notices: queued in the outbox with the change they report, delivered later.

`queue` adds messages in the caller's transaction, so a notice exists exactly when its state
change was committed; `delivery.py` sends them later, from the worker.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldapp import background
from fieldapp.domain import notices
from fieldapp.domain.case_flow import OPEN, Notice
from fieldapp.domain.deadlines import Urgency, urgency
from fieldapp.domain.notices import CarrierFacts, CarrierLeg, CaseFacts, Recipient
from fieldapp.extensions import db
from fieldapp.models import Case, CaseDeadline, OutboxMessage
from fieldapp.models.types import utcnow
from fieldapp.services.notifications import wording

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Visit:
    """A planned visit the customer is told about."""

    job_id: int
    window: tuple[datetime, datetime]
    tracking_url: str | None = None


@dataclass(frozen=True)
class CarrierBooking:
    """A job sent by agency the customer is told about: the agency, its branch, each leg as
    (direction value, waybill, expected arrival) and the tracking page."""

    job_id: int
    carrier: str
    agency_branch: str
    legs: tuple[tuple[str, str | None, datetime | None], ...]
    tracking_url: str | None = None


def queue(
    case: Case,
    notice: Notice,
    *,
    deadline: CaseDeadline | None = None,
    at: datetime | None = None,
    visit: Visit | None = None,
    carrier: CarrierBooking | None = None,
) -> list[OutboxMessage]:
    """Add `notice` about `case` to the outbox for the Case Admin and the customer (if known).

    A notice already queued for the same case, event or deadline, and recipient is not added
    again. Flushes; the caller commits.

    :raises ValueError: for DEADLINE_AT_RISK without its deadline, or CARRIER_BOOKED without
        its booking.
    """
    if notice is Notice.DEADLINE_AT_RISK and deadline is None:
        raise ValueError("a deadline-at-risk notice needs its deadline")
    if notice is Notice.CARRIER_BOOKED and carrier is None:
        raise ValueError("a carrier notice needs its booking")
    db.session.flush()  # the case needs its id for the key
    at = at or _event_time(case, notice)
    facts = _facts(case, notice, deadline, at)
    if visit is not None:
        facts = replace(facts, visit_window=visit.window, tracking_url=visit.tracking_url)
    if carrier is not None:
        legs = tuple(CarrierLeg(*leg) for leg in carrier.legs)
        facts = replace(
            facts,
            carrier=CarrierFacts(carrier.carrier, carrier.agency_branch, legs),
            tracking_url=carrier.tracking_url,
        )
    addresses = {
        Recipient.CASE_ADMIN: _clean_address(case.programme.case_admin_email),
        Recipient.CUSTOMER: _clean_address(case.customer.email),
    }
    scope = deadline.name if deadline is not None else "event"
    if visit is not None:
        scope = f"job-{visit.job_id}"  # each visit (a re-attempt too) is told once
    if carrier is not None:
        scope = f"job-{carrier.job_id}"  # each job sent by agency is told once
    queued: list[OutboxMessage] = []
    queued_at = utcnow()
    for recipient in notices.RECIPIENTS[notice]:
        address = addresses[recipient]
        if address is None:
            continue
        key = f"{case.id}:{notice.value}:{scope}:{recipient.value}"
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
            continue
        composed = wording.compose(notice, facts, recipient)
        message = OutboxMessage(
            idempotency_key=key,
            case_id=case.id,
            notice=notice.value,
            recipient_role=recipient.value,
            to_address=address,
            subject=composed.subject,
            body_text=composed.body,
            created_at=queued_at,
            next_attempt_at=queued_at,
        )
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            continue  # queued meanwhile by a concurrent transaction
        queued.append(message)
    if queued:
        background.after_commit("deliver_mail")
    return queued


def warn_at_risk(now: datetime | None = None) -> int:
    """Queue DEADLINE_AT_RISK once for every open deadline at risk or overdue; returns how many.

    Flushes; the caller commits.
    """
    now = now or utcnow()
    found = db.session.scalars(
        select(CaseDeadline)
        .join(Case)
        .where(
            CaseDeadline.done_at.is_(None),
            CaseDeadline.warned_at.is_(None),
            Case.status.in_(OPEN),
        )
        .order_by(CaseDeadline.due_at)
    ).all()
    warned = 0
    for deadline in found:
        if urgency(deadline.starts_at, deadline.due_at, now) in (Urgency.AT_RISK, Urgency.OVERDUE):
            queue(deadline.case, Notice.DEADLINE_AT_RISK, deadline=deadline, at=now)
            deadline.warned_at = now
            warned += 1
    db.session.flush()
    return warned


def clean_address(address: str | None) -> str | None:
    """The address trimmed, or None when it is empty or not a valid e-mail address."""
    return _clean_address(address)


def _clean_address(address: str | None) -> str | None:
    address = (address or "").strip()
    if not address:
        return None
    if not _ADDRESS.match(address):
        log.warning("notice not queued: an address on file is not a valid e-mail address")
        return None
    return address


def _event_time(case: Case, notice: Notice) -> datetime:
    stamps = {
        Notice.CASE_RECEIVED: case.received_at,
        Notice.UNIT_RECEIVED: case.unit_received_at,
        Notice.REPAIR_DONE: case.repaired_at,
        Notice.UNIT_RETURNED: case.returned_at,
        Notice.WARRANTY_VOIDED: case.closed_at,
    }
    return stamps.get(notice) or utcnow()


def _facts(case: Case, notice: Notice, deadline: CaseDeadline | None, at: datetime) -> CaseFacts:
    config = current_app.config
    if deadline is None:
        # The next deadline still open: what the customer waits for now.
        open_ones = [d for d in case.deadlines if d.done_at is None]
        deadline_due = min((d.due_at for d in open_ones), default=None)
    else:
        deadline_due = deadline.due_at
    return CaseFacts(
        case_number=case.case_number,
        service_number=case.unit.service_number,
        customer_first_name=case.customer.first_name,
        flow=case.flow,
        at=at,
        st_name=config["ST_NAME"],
        st_address=config["ST_ADDRESS"],
        brand=case.programme.brand,
        due_at=deadline_due,
        deadline_name=deadline.name if deadline is not None else None,
        overdue=deadline is not None and at > deadline.due_at,
    )
