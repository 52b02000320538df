"""Finding cases for the cases list: filters, text search, and how urgent each one is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from fieldapp.domain.case_flow import OPEN, Flow, Status
from fieldapp.domain.deadlines import Urgency, urgency
from fieldapp.domain.geo import Zone
from fieldapp.domain.service_number import normalise
from fieldapp.extensions import db
from fieldapp.models import Branch, Case, CaseDeadline, Customer, Programme, Unit
from fieldapp.models.types import utcnow

PER_PAGE = 50
# No deadline window is longer than this (3 business days around a long holiday), so a deadline
# due later than now + this cannot be at risk yet: the database narrows, the domain decides.
LONGEST_WINDOW = timedelta(days=8)


@dataclass(frozen=True)
class CaseFilters:
    """What the user asked for; empty values mean "any"."""

    programme: str = ""  # a programme's code
    branch: str = ""  # a branch's code
    status: Status | None = None
    flow: Flow | None = None
    zone: Zone | None = None
    urgency: Urgency | None = None  # only AT_RISK or OVERDUE filter
    q: str = ""
    page: int = 1


@dataclass(frozen=True)
class CaseRow:
    """A case with its next open deadline and how that deadline stands now."""

    case: Case
    next_deadline: CaseDeadline | None
    urgency: Urgency | None


@dataclass(frozen=True)
class CasePage:
    """One page of results."""

    rows: list[CaseRow]
    page: int
    has_next: bool


def next_deadline(case: Case) -> CaseDeadline | None:
    """The earliest deadline of `case` not met yet."""
    open_ones = [d for d in case.deadlines if d.done_at is None]
    return min(open_ones, key=lambda d: d.due_at) if open_ones else None


def row_for(case: Case, now: datetime) -> CaseRow:
    """`case` with its next deadline and urgency at `now` (none once the case is finished)."""
    deadline = next_deadline(case) if case.status in OPEN else None
    level = urgency(deadline.starts_at, deadline.due_at, now) if deadline else None
    return CaseRow(case, deadline, level)


def _query(filters: CaseFilters, now: datetime) -> Select:
    stmt = select(Case).join(Case.unit).join(Case.customer)
    if filters.programme:
        stmt = stmt.where(
            Case.programme_id.in_(select(Programme.id).where(Programme.code == filters.programme))
        )
    if filters.branch:
        stmt = stmt.where(
            Case.branch_id.in_(select(Branch.id).where(Branch.code == filters.branch))
        )
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.flow:
        stmt = stmt.where(Case.flow == filters.flow)
    if filters.zone:
        stmt = stmt.where(Case.zone == filters.zone)
    text = filters.q.strip()
    if text:
        like = f"%{text.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                Case.case_number.ilike(like),
                Unit.service_number.ilike(normalise(like)),
                Customer.name.ilike(like),
            )
        )
    if filters.urgency in (Urgency.AT_RISK, Urgency.OVERDUE):
        horizon = now if filters.urgency is Urgency.OVERDUE else now + LONGEST_WINDOW
        due_soon = (
            select(CaseDeadline.case_id)
            .where(CaseDeadline.done_at.is_(None), CaseDeadline.due_at <= horizon)
            .scalar_subquery()
        )
        stmt = stmt.where(Case.status.in_(OPEN), Case.id.in_(due_soon))
    return stmt


def search(filters: CaseFilters, now: datetime | None = None) -> CasePage:
    """Cases matching `filters`, most urgent first among open ones, then most recently updated."""
    now = now or utcnow()
    stmt = _query(filters, now).options(
        selectinload(Case.deadlines), selectinload(Case.unit), selectinload(Case.customer)
    )
    if filters.urgency in (Urgency.AT_RISK, Urgency.OVERDUE):
        # The exact urgency is the domain's call; the candidate set is small (due within days).
        rows = [row_for(case, now) for case in db.session.scalars(stmt)]
        rows = [row for row in rows if row.urgency is filters.urgency]
        rows.sort(key=lambda row: row.next_deadline.due_at)
        start = (filters.page - 1) * PER_PAGE
        return CasePage(rows[start : start + PER_PAGE], filters.page, len(rows) > start + PER_PAGE)
    stmt = stmt.order_by(Case.updated_at.desc(), Case.id.desc())
    stmt = stmt.offset((filters.page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    cases = db.session.scalars(stmt).all()
    rows = [row_for(case, now) for case in cases[:PER_PAGE]]
    return CasePage(rows, filters.page, len(cases) > PER_PAGE)
