"""The new unit a DOA swap stop hands over: which one is reserved for it, which could be, and
which published stops still have none (dispatch sees and sets it; the courier is told)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from fieldapp.domain import jobs
from fieldapp.domain.stock import StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import Job, StockUnit, User
from fieldapp.services.workshop import inventory


def reserved_for(job: Job) -> StockUnit | None:
    """The unit reserved for `job`, if any."""
    return db.session.scalar(
        select(StockUnit).where(
            StockUnit.reserved_for_job_id == job.id, StockUnit.status == StockStatus.RESERVED
        )
    )


def reserved_by_job() -> dict[int, StockUnit]:
    """Every unit reserved now, by the id of the job it is reserved for (one query, for a
    page that shows many stops)."""
    found = db.session.scalars(
        select(StockUnit).where(
            StockUnit.status == StockStatus.RESERVED, StockUnit.reserved_for_job_id.is_not(None)
        )
    )
    return {unit.reserved_for_job_id: unit for unit in found}


def needs_unit(job: Job) -> bool:
    """Whether the stop hands over a new unit (and so needs one reserved)."""
    return job.kind in jobs.HANDS_OVER_NEW_UNIT


def on_hand_new_units() -> list[StockUnit]:
    """New units on hand, oldest first: what dispatch can reserve."""
    return list(
        db.session.scalars(
            select(StockUnit)
            .where(StockUnit.status == StockStatus.ON_HAND, StockUnit.category == StockCategory.NEW)
            .order_by(StockUnit.received_at, StockUnit.id)
        )
    )


def candidates(job: Job, units: list[StockUnit]) -> list[StockUnit]:
    """`units` with those of the case's model first."""
    model = job.case.unit.model
    return sorted(units, key=lambda unit: unit.model != model if model else False)


def reserve(job: Job, unit_id: int | None, actor: User) -> StockUnit:
    """Reserve the chosen unit (or the best one on hand) for `job`, releasing another one
    reserved for it before.

    :raises stock.StockError: when the unit is gone, is not a new unit, or none is left.
    """
    if not needs_unit(job):
        raise inventory.StockError("Esta parada no entrega un equipo nuevo.")
    if unit_id is None:
        return inventory.reserve_for_job(job, actor)
    unit = db.session.get(StockUnit, unit_id)
    if unit is None or unit.category is not StockCategory.NEW:
        raise inventory.StockError("Elija un equipo nuevo del stock.")
    previous = reserved_for(job)
    if previous is not None and previous.id == unit.id:
        return unit
    if previous is not None:
        inventory.release(previous, actor, note="Cambio de equipo reservado")
    return inventory.reserve_unit(unit, job, actor)


def release(job: Job, actor: User) -> None:
    """Put the unit reserved for `job` back on hand.

    :raises stock.StockError: when none is reserved.
    """
    unit = reserved_for(job)
    if unit is None:
        raise inventory.StockError("No hay equipo reservado para esta parada.")
    inventory.release(unit, actor, note="Liberado por despacho")


def unreserved_swaps(stops: Iterable[Job]) -> list[Job]:
    """The `stops` that hand over a new unit but have none reserved."""
    return [job for job in stops if needs_unit(job) and reserved_for(job) is None]
