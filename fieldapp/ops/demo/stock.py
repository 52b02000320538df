"""Demo stock: new units from the manufacturer, DOA units back, and the units reserved or used."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Flow
from fieldapp.domain.jobs import JobKind, JobStatus
from fieldapp.domain.stock import MovementKind, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import (
    Case,
    Job,
    Programme,
    StockMovement,
    StockUnit,
    User,
)
from fieldapp.ops.demo.cases import MODELS, Numbers


def stock(rng, programme: Programme, now: datetime, numbers: Numbers) -> int:
    made = 0
    for category, count in ((StockCategory.NEW, 12), (StockCategory.EXCHANGE, 5)):
        for _ in range(count):
            prefix = rng.choice("TC")
            unit = StockUnit(
                programme_id=programme.id,
                service_number=numbers.take(prefix),
                model=MODELS[prefix],
                model_family="ESP 3" if prefix == "T" else "ESP 5",
                category=category,
                status=StockStatus.ON_HAND,
                received_at=now - timedelta(days=20),
            )
            unit.movements.append(
                StockMovement(kind=MovementKind.RECEIVED_FROM_MANUFACTURER, at=unit.received_at)
            )
            db.session.add(unit)
            made += 1
    return made


def stock_in_use(users: dict[str, User]) -> None:
    """A collected DOA unit turned parts donor, and a new unit reserved for an open DOA swap."""
    from fieldapp.services.workshop import inventory, spare_parts

    tech = users["technician"]
    swapped = db.session.scalar(
        select(Case)
        .where(Case.flow == Flow.DOA_LIMA, Case.status == case_flow.Status.CLOSED)
        .order_by(Case.id)
    )
    if swapped is not None:
        donor = inventory.collect_doa(swapped, tech)
        spare_parts.make_parts_donor(
            donor, ["Cabezal de impresión", "Fuente de poder", "Bandeja"], tech
        )
    visit = db.session.scalar(
        select(Job)
        .where(Job.kind == JobKind.DOA_SWAP, Job.status.in_([JobStatus.PENDING, JobStatus.PLANNED]))
        .order_by(Job.due_at)
    )
    if visit is not None:
        inventory.reserve_for_job(visit, users["dispatcher"])
