"""Read-only queries of the API: one case with its timeline, and the paged list for the sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from fieldapp.domain.case_flow import Status
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.services import case_history


class CaseWithTimeline:
    """A case and its timeline, dumped as one object."""

    def __init__(self, case: Case, timeline: list[case_history.TimelineEntry]) -> None:
        self._case = case
        self.timeline = timeline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._case, name)


def find_case(case_number: str, programme_id: int | None = None) -> Case | None:
    """The case with this Call Center number, if any (of `programme_id` when given)."""
    stmt = select(Case).where(Case.case_number == case_number)
    if programme_id is not None:
        stmt = stmt.where(Case.programme_id == programme_id)
    return db.session.scalar(stmt)


def timeline(case: Case) -> list[case_history.TimelineEntry]:
    """The case's audit events, oldest first; the API shows each actor's role, never a name."""
    return case_history.timeline(case)


def case_page(
    status: str | None,
    updated_since: datetime | None,
    page: int,
    per_page: int,
    programme_id: int | None = None,
) -> dict[str, Any]:
    """One page of cases, oldest change first (updated_at, id), with the total and next page
    (only `programme_id`'s cases when given)."""
    stmt = select(Case)
    if programme_id is not None:
        stmt = stmt.where(Case.programme_id == programme_id)
    if status:
        stmt = stmt.where(Case.status == Status(status))
    if updated_since is not None:
        stmt = stmt.where(Case.updated_at >= updated_since)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = db.session.scalars(
        stmt.options(selectinload(Case.unit), selectinload(Case.deadlines))
        .order_by(Case.updated_at, Case.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "next_page": page + 1 if page * per_page < total else None,
    }
