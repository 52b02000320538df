"""Read-only lookups of the workshop pages (the repair queue and parts lists are in `repairs`)."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.extensions import db
from fieldapp.models import Case, SparePart
from fieldapp.services.workshop.repairs import COUNTER_COLLECTION


def awaiting_collection() -> list[Case]:
    """Repaired units waiting at the counter for their customer, longest waiting first."""
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.status == Status.REPAIRED, Case.flow.in_(COUNTER_COLLECTION))
            .order_by(Case.repaired_at)
        )
    )


def spare_part(part_id: int | None) -> SparePart | None:
    """The donor part with this id, if any (None or 0: none chosen)."""
    return db.session.get(SparePart, part_id) if part_id else None
