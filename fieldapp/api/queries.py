"""Read-only queries of the API: one case with its timeline, and the paged list for the sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from fieldapp.domain.case_flow import Status
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Case
from fieldapp.services import access
from fieldapp.services.cases import history
from fieldapp.services.cases import queries as case_queries


class CaseWithTimeline:
    """A case and its timeline, dumped as one object."""

    def __init__(self, case: Case, timeline: list[history.TimelineEntry]) -> None:
        self._case = case
        self.timeline = timeline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._case, name)


def find_case(case_number: str, client: ApiClient) -> Case:
    """The case with this Call Center number, if `client` may read it.

    :raises CaseNotFound: for an unknown case number or one `client` may not read.
    """
    return case_queries.case_by_number(case_number, access.readable_by(client))


def timeline(case: Case) -> list[history.TimelineEntry]:
    """The case's audit events, oldest first; the API shows each actor's role, never a name."""
    return history.timeline(case)


def case_page(
    client: ApiClient,
    status: str | None,
    updated_since: datetime | None,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """One page of the cases `client` may read, oldest change first (updated_at, id), with the
    total and next page."""
    stmt = select(Case).where(access.readable_by(client))
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
