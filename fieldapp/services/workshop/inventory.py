"""Kodak's stock at the ST: every unit in and out is a movement; reservations never oversell.

Reservations use a conditional UPDATE (`… WHERE status = 'on_hand'`) and check the row count,
so two dispatchers reserving at once can never take the same unit, and stock never goes below
zero. Spare parts from DOA units are in `spare_parts`, the credit at sale in `store_credit`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from fieldapp.domain.jobs import OPEN_JOB, JobKind
from fieldapp.domain.service_number import KODAK, InvalidServiceNumber, NumberRules, parse
from fieldapp.domain.stock import MovementKind, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import Case, Job, Programme, StockMovement, StockUnit, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import queries as case_queries

SWAP_JOBS = (JobKind.DOA_SWAP, JobKind.STORE_SWAP)


class StockError(ValueError):
    """A stock operation cannot be done (message in Spanish)."""


def record_movement(
    kind: MovementKind,
    actor: User | None,
    unit: StockUnit | None = None,
    *,
    case_id: int | None = None,
    job_id: int | None = None,
    store_id: int | None = None,
    part_id: int | None = None,
    service_number: str | None = None,
    model: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> StockMovement:
    movement = StockMovement(
        kind=kind,
        stock_unit_id=unit.id if unit is not None else None,
        case_id=case_id,
        job_id=job_id,
        store_id=store_id,
        part_id=part_id,
        user_id=actor.id if actor is not None else None,
        service_number=service_number or (unit.service_number if unit is not None else None),
        model=model or (unit.model if unit is not None else None),
        note=note,
        at=at or utcnow(),
    )
    db.session.add(movement)
    audit.record(
        f"stock_{kind.value}",
        entity="stock_unit" if unit is not None else "stock_movement",
        entity_id=unit.id if unit is not None else None,
        case_id=case_id,
        actor=actor,
        note=note,
        data={"service_number": movement.service_number},
    )
    return movement


def parsed_service_number(value: str, rules: NumberRules = KODAK) -> str:
    """The service number in its one written form.

    :raises StockError: with the rule's message when it is not one.
    """
    try:
        return parse(value, rules).value
    except InvalidServiceNumber as error:
        raise StockError(str(error)) from error


def receive_from_manufacturer(
    programme: Programme,
    service_number: str,
    model: str,
    category: StockCategory,
    actor: User | None,
) -> StockUnit:
    """Add a new or exchange unit received from Kodak.

    :raises StockError: for a bad or already stocked service number, or a wrong category.
    """
    if category not in (StockCategory.NEW, StockCategory.EXCHANGE):
        raise StockError("El fabricante entrega equipos nuevos o de intercambio.")
    rules = programme.number_rules
    number = parsed_service_number(service_number, rules)
    if db.session.scalar(select(StockUnit.id).where(StockUnit.service_number == number)):
        raise StockError(f"El equipo {number} ya está en el stock.")
    family = rules.family_of(number)
    unit = StockUnit(
        programme_id=programme.id,
        service_number=number,
        model=(model or "").strip() or None,
        model_family=family,
        category=category,
        status=StockStatus.ON_HAND,
    )
    db.session.add(unit)
    db.session.flush()
    record_movement(MovementKind.RECEIVED_FROM_MANUFACTURER, actor, unit)
    db.session.flush()
    return unit


def reserve_unit(
    unit: StockUnit, job: Job | None, actor: User | None, case: Case | None = None
) -> StockUnit:
    """Reserve this on-hand unit for `job` (or for `case` at the counter), safely against
    concurrent reservations.

    :raises StockError: when the unit is no longer on hand.
    """
    taken = db.session.execute(
        update(StockUnit)
        .where(StockUnit.id == unit.id, StockUnit.status == StockStatus.ON_HAND)
        .values(
            status=StockStatus.RESERVED,
            reserved_for_job_id=job.id if job is not None else None,
            version=StockUnit.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise StockError(f"El equipo {unit.service_number} ya no está disponible.")
    db.session.refresh(unit)
    case_id = job.case_id if job is not None else (case.id if case is not None else None)
    record_movement(
        MovementKind.RESERVED,
        actor,
        unit,
        case_id=case_id,
        job_id=job.id if job is not None else None,
    )
    db.session.flush()
    return unit


def _reserve_any(
    category: StockCategory, model: str | None, actor: User | None, job: Job | None, case: Case
) -> StockUnit:
    candidates = db.session.scalars(
        select(StockUnit.id)
        .where(StockUnit.status == StockStatus.ON_HAND, StockUnit.category == category)
        .order_by((StockUnit.model == model).desc(), StockUnit.received_at, StockUnit.id)
    ).all()
    for unit_id in candidates:
        unit = db.session.get(StockUnit, unit_id)
        try:
            return reserve_unit(unit, job, actor, case)
        except StockError:
            continue  # taken meanwhile: try the next one
    kind = "de intercambio" if category is StockCategory.EXCHANGE else "nuevos"
    raise StockError(f"No quedan equipos {kind} disponibles en el stock para reservar.")


def reserve_exchange(case: Case, actor: User | None, job: Job | None = None) -> StockUnit:
    """Reserve an exchange unit (the case's model first) for a unit that cannot be repaired.

    :raises StockError: when no exchange unit is on hand.
    """
    return _reserve_any(StockCategory.EXCHANGE, case.unit.model, actor, job, case)


def reserve_for_job(
    job: Job, actor: User | None, category: StockCategory = StockCategory.NEW
) -> StockUnit:
    """Reserve any on-hand unit of `category` (the case's model first) for `job`.

    :raises StockError: when none is left.
    """
    already = db.session.scalar(select(StockUnit).where(StockUnit.reserved_for_job_id == job.id))
    if already is not None and already.status is StockStatus.RESERVED:
        return already
    return _reserve_any(category, job.case.unit.model, actor, job, job.case)


def release(unit: StockUnit, actor: User | None, note: str | None = None) -> None:
    """Put a reserved unit back on hand.

    :raises StockError: when the unit is not reserved.
    """
    if unit.status is not StockStatus.RESERVED:
        raise StockError("El equipo no está reservado.")
    job_id = unit.reserved_for_job_id
    unit.status, unit.reserved_for_job_id = StockStatus.ON_HAND, None
    record_movement(MovementKind.RELEASED, actor, unit, job_id=job_id, note=note)
    db.session.flush()


def deliver(unit: StockUnit, case: Case, actor: User | None, job: Job | None = None) -> None:
    """Hand a reserved (or on-hand) unit to the customer of `case`.

    :raises StockError: when the unit is already out.
    """
    if unit.status not in (StockStatus.ON_HAND, StockStatus.RESERVED):
        raise StockError(f"El equipo {unit.service_number} no está en el stock.")
    unit.status = StockStatus.DELIVERED
    record_movement(
        MovementKind.DELIVERED,
        actor,
        unit,
        case_id=case.id,
        job_id=job.id if job is not None else unit.reserved_for_job_id,
    )
    db.session.flush()


def collect_doa(case: Case, actor: User | None, job: Job | None = None) -> StockUnit:
    """Take the failed unit of a DOA case into stock (returned to Kodak or made a parts donor).

    :raises StockError: when it was already collected.
    """
    number = case.unit.service_number
    if db.session.scalar(select(StockUnit.id).where(StockUnit.service_number == number)):
        raise StockError(f"El equipo {number} ya fue recibido en el stock.")
    unit = StockUnit(
        programme_id=case.programme_id,
        service_number=number,
        model=case.unit.model,
        model_family=case.unit.model_family,
        category=StockCategory.DOA_COLLECTED,
        status=StockStatus.ON_HAND,
        source_case_id=case.id,
    )
    db.session.add(unit)
    db.session.flush()
    record_movement(
        MovementKind.DOA_COLLECTED,
        actor,
        unit,
        case_id=case.id,
        job_id=job.id if job is not None else None,
    )
    db.session.flush()
    return unit


def return_to_manufacturer(unit: StockUnit, actor: User | None, note: str | None = None) -> None:
    """Send a unit back to Kodak.

    :raises StockError: for a unit that is not on hand.
    """
    if unit.status is not StockStatus.ON_HAND:
        raise StockError(f"El equipo {unit.service_number} no está disponible para devolver.")
    unit.status = StockStatus.RETURNED_TO_MANUFACTURER
    record_movement(MovementKind.RETURNED_TO_MANUFACTURER, actor, unit, note=note)
    db.session.flush()


def reserve_for_case(case_number: str, actor: User | None) -> StockUnit:
    """Reserve a new unit for the open DOA swap visit of a case.

    :raises StockError: for an unknown case, one without a swap visit, or no unit left.
    """
    case = case_queries.case_by_number(case_number.strip(), missing=StockError)
    job = db.session.scalar(
        select(Job).where(Job.case_id == case.id, Job.kind.in_(SWAP_JOBS), Job.status.in_(OPEN_JOB))
    )
    if job is None:
        raise StockError(f"El caso {case.case_number} no tiene una visita de cambio DOA pendiente.")
    return reserve_for_job(job, actor)


def collect_doa_for_case(case_number: str, actor: User | None) -> StockUnit:
    """Take the failed unit of a swapped DOA case into stock.

    :raises StockError: for an unknown case, a case that is not a swapped DOA, or a repeat.
    """
    case = case_queries.case_by_number(case_number.strip(), missing=StockError)
    if case.kind.value != "doa" or case.status.value not in ("swapped", "closed"):
        raise StockError(f"El caso {case.case_number} no es un DOA con el cambio hecho.")
    return collect_doa(case, actor)
