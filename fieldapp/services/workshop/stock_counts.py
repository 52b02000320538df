"""Stock figures: on-hand and reserved counts per model, tomorrow's DOA shortage, the page's
overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from fieldapp.domain.deadlines import LIMA_TZ, end_of_day
from fieldapp.domain.jobs import OPEN_JOB
from fieldapp.domain.stock import PartStatus, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import Job, SparePart, StockMovement, StockUnit
from fieldapp.models.types import utcnow
from fieldapp.services.workshop.inventory import SWAP_JOBS


@dataclass(frozen=True)
class Count:
    """On-hand and reserved units of one model and category."""

    category: StockCategory
    model: str
    on_hand: int
    reserved: int


def counts() -> list[Count]:
    """On-hand and reserved counts per category and model."""
    rows = db.session.execute(
        select(StockUnit.category, StockUnit.model, StockUnit.status, func.count())
        .where(StockUnit.status.in_([StockStatus.ON_HAND, StockStatus.RESERVED]))
        .group_by(StockUnit.category, StockUnit.model, StockUnit.status)
    ).all()
    table: dict[tuple, dict] = {}
    for category, model, status, n in rows:
        table.setdefault((category, model or "—"), {})[status] = n
    return [
        Count(
            category, model, found.get(StockStatus.ON_HAND, 0), found.get(StockStatus.RESERVED, 0)
        )
        for (category, model), found in sorted(table.items())
    ]


@dataclass(frozen=True)
class Shortage:
    """New units needed for DOA swaps due by the end of tomorrow against what is there."""

    needed: int
    available: int

    @property
    def short(self) -> int:
        """How many units are missing (0 when enough)."""
        return max(self.needed - self.available, 0)


def tomorrow_shortage(now: datetime | None = None) -> Shortage:
    """Open DOA swap visits due by the end of tomorrow (Lima) without a reserved unit, against
    new units on hand."""
    now = now or utcnow()
    horizon = end_of_day(now.astimezone(LIMA_TZ).date() + timedelta(days=1))
    reserved_jobs = select(StockUnit.reserved_for_job_id).where(
        StockUnit.status == StockStatus.RESERVED, StockUnit.reserved_for_job_id.is_not(None)
    )
    needed = db.session.scalar(
        select(func.count())
        .select_from(Job)
        .where(
            Job.kind.in_(SWAP_JOBS),
            Job.status.in_(OPEN_JOB),
            Job.due_at <= horizon,
            Job.id.not_in(reserved_jobs),
        )
    )
    available = db.session.scalar(
        select(func.count())
        .select_from(StockUnit)
        .where(StockUnit.category == StockCategory.NEW, StockUnit.status == StockStatus.ON_HAND)
    )
    return Shortage(needed or 0, available or 0)


@dataclass(frozen=True)
class Overview:
    """What the stock page shows."""

    counts: list[Count]
    shortage: Shortage
    units: list[StockUnit]
    movements: list[StockMovement]
    parts_available: int
    parts_used: int


def overview(limit: int = 50) -> Overview:
    """Counts, tomorrow's shortage, units still at the ST and the latest movements."""
    units = db.session.scalars(
        select(StockUnit)
        .where(
            StockUnit.status.in_(
                [StockStatus.ON_HAND, StockStatus.RESERVED, StockStatus.PARTS_DONOR]
            )
        )
        .order_by(StockUnit.category, StockUnit.model, StockUnit.service_number)
    ).all()
    movements = db.session.scalars(
        select(StockMovement)
        .order_by(StockMovement.at.desc(), StockMovement.id.desc())
        .limit(limit)
    ).all()
    parts = dict(
        db.session.execute(select(SparePart.status, func.count()).group_by(SparePart.status)).all()
    )
    return Overview(
        counts=counts(),
        shortage=tomorrow_shortage(),
        units=list(units),
        movements=list(movements),
        parts_available=parts.get(PartStatus.AVAILABLE, 0),
        parts_used=parts.get(PartStatus.USED, 0),
    )
