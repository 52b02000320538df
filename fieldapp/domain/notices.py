"""E-mail notices (DOMAIN.md "E-mail notifications"): who gets each one, and what its text
says as plain values.

The wording itself is in templates/mail/notice_*.txt, rendered by
fieldapp/services/notifications/wording.py; the service decides the facts and queues the messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fieldapp.domain.case_flow import FLOW_LABELS, Flow, Notice
from fieldapp.domain.deadlines import LIMA_TZ


class Recipient(StrEnum):
    """Who a notice is written for."""

    CASE_ADMIN = "case_admin"
    CUSTOMER = "customer"


# Every notice goes to the programme's Case Admin, and to the customer when an address is known.
RECIPIENTS: dict[Notice, tuple[Recipient, ...]] = {
    notice: (Recipient.CASE_ADMIN, Recipient.CUSTOMER) for notice in Notice
}
RECIPIENTS[Notice.VISIT_SCHEDULED] = (Recipient.CUSTOMER,)
RECIPIENTS[Notice.CARRIER_BOOKED] = (Recipient.CUSTOMER,)

_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_DOA_FLOWS = {Flow.DOA_LIMA, Flow.DOA_PROVINCES, Flow.DOA_STORE, Flow.DOA_COUNTER}
_COLLECTS_AT_COUNTER = {Flow.WARRANTY_LIMA, Flow.WALK_IN}
# Notices that tell the Case Admin the next deadline.
_SHOWS_DUE = {Notice.CASE_RECEIVED, Notice.UNIT_RECEIVED, Notice.REPAIR_DONE}

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(minutes=15)


@dataclass(frozen=True)
class CarrierLeg:
    """One leg of a job sent by agency, as the customer is told about it."""

    direction: str  # "to_customer" or "to_st"
    waybill: str | None
    arrival: datetime | None  # expected arrival (end of that day, Lima)


@dataclass(frozen=True)
class CarrierFacts:
    """A job sent by agency: the agency, its branch, the legs and the tracking page."""

    carrier: str
    agency_branch: str
    legs: tuple[CarrierLeg, ...]


@dataclass(frozen=True)
class CaseFacts:
    """What a notice says about a case, as plain values (times aware)."""

    case_number: str
    service_number: str
    customer_first_name: str
    flow: Flow
    at: datetime  # when the event happened (for an at-risk warning: when it was noticed)
    st_name: str
    st_address: str
    brand: str = "Kodak"
    due_at: datetime | None = None  # the next deadline (or the one at risk)
    deadline_name: str | None = None  # for DEADLINE_AT_RISK: swap, pickup, repair, return
    overdue: bool = False
    visit_window: tuple[datetime, datetime] | None = None  # for VISIT_SCHEDULED
    tracking_url: str | None = None
    carrier: CarrierFacts | None = None  # for CARRIER_BOOKED


@dataclass(frozen=True)
class Composed:
    """A notice ready to send."""

    subject: str
    body: str


def lima_datetime_text(at: datetime) -> str:
    """Spanish date and time in Lima, e.g. "lunes 7 de diciembre de 2026 a las 14:30".

    :raises ValueError: if the datetime is naive.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    local = at.astimezone(LIMA_TZ)
    return (
        f"{_WEEKDAYS[local.weekday()]} {local.day} de {_MONTHS[local.month - 1]} de "
        f"{local.year} a las {local:%H:%M}"
    )


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed send: doubling from 1 minute, at most 15.

    :raises ValueError: if attempts is below 1.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if attempts > 10:  # 2**10 minutes is far past the cap; avoid huge numbers
        return RETRY_CAP
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_CAP)


def lima_date_text(at: datetime) -> str:
    """A Spanish date in Lima, e.g. "lunes 7 de diciembre de 2026".

    :raises ValueError: if the datetime is naive.
    """
    return lima_datetime_text(at).rpartition(" a las ")[0]


def visit_text(window: tuple[datetime, datetime]) -> str:
    """A visit window in Spanish: "el jueves 26 de noviembre de 2026 entre las 10:00 y las 12:00".

    :raises ValueError: if the datetimes are naive.
    """
    start, end = (lima_datetime_text(t) for t in window)
    day, _, start_time = start.rpartition(" a las ")
    return f"el {day} entre las {start_time} y las {end.rpartition(' a las ')[2]}"


def wording_context(notice: Notice, facts: CaseFacts) -> dict:
    """The plain values a notice's wording needs (templates/mail/notice_*.txt): the facts, times
    in Spanish, and what the rules decide (a DOA flow, collected at the counter, which notices
    show the next deadline).

    :raises ValueError: for naive datetimes, or an at-risk, visit or carrier notice without
        its deadline, window or booking.
    """
    if notice is Notice.DEADLINE_AT_RISK and (facts.due_at is None or not facts.deadline_name):
        raise ValueError("an at-risk notice needs the deadline and its due time")
    if notice is Notice.VISIT_SCHEDULED and facts.visit_window is None:
        raise ValueError("a visit notice needs the visit window")
    if notice is Notice.CARRIER_BOOKED and (facts.carrier is None or not facts.carrier.legs):
        raise ValueError("a carrier notice needs the agency and its legs")
    due = lima_datetime_text(facts.due_at) if facts.due_at is not None else None
    return {
        "notice": notice.value,
        "facts": facts,
        "when": lima_datetime_text(facts.at),
        "due": due,
        "visit": visit_text(facts.visit_window) if facts.visit_window else None,
        "flow_label": FLOW_LABELS[facts.flow],
        "doa": facts.flow in _DOA_FLOWS,
        "collects_at_counter": facts.flow in _COLLECTS_AT_COUNTER,
        "shows_due": bool(due) and notice in _SHOWS_DUE,
        # A job sent by agency: each leg's way, tracking number and expected arrival (Spanish).
        "legs": [
            {
                "direction": leg.direction,
                "waybill": leg.waybill,
                "arrival": lima_date_text(leg.arrival) if leg.arrival is not None else None,
            }
            for leg in (facts.carrier.legs if facts.carrier else ())
        ],
    }
