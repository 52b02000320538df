"""Kodak's stock: every movement recorded, reservations never oversell, DOA units as donors."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from fieldapp.domain.roles import Role
from fieldapp.domain.stock import MovementKind, PartStatus, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import Job, StockMovement, StockUnit, Store
from fieldapp.services.cases import visits
from fieldapp.services.workshop import inventory, spare_parts, stock_counts, store_credit
from fieldapp.services.workshop.inventory import StockError
from tests import factories
from tests.factories import doa_case


@pytest.fixture
def keeper(app):
    return factories.user(Role.TECHNICIAN)


def receive(n: int, category=StockCategory.NEW, model="ESP 3250", start=500000):
    programme = factories.programme()
    return [
        inventory.receive_from_manufacturer(programme, f"T{start + i}", model, category, None)
        for i in range(n)
    ]


def kinds(unit: StockUnit) -> list[MovementKind]:
    return [
        m.kind
        for m in db.session.scalars(
            select(StockMovement)
            .where(StockMovement.stock_unit_id == unit.id)
            .order_by(StockMovement.id)
        )
    ]


def test_receive_reserve_deliver_is_recorded_and_counted(app, keeper):
    (unit,) = receive(1)
    assert unit.model_family == "ESP 3" and unit.status is StockStatus.ON_HAND
    with pytest.raises(StockError, match="ya está en el stock"):
        receive(1)
    job = visits.open_job(doa_case())
    assert inventory.reserve_for_job(job, keeper) is unit
    assert stock_counts.counts()[0].on_hand == 0 and stock_counts.counts()[0].reserved == 1
    inventory.deliver(unit, job.case, keeper)
    assert unit.status is StockStatus.DELIVERED
    assert kinds(unit) == [
        MovementKind.RECEIVED_FROM_MANUFACTURER,
        MovementKind.RESERVED,
        MovementKind.DELIVERED,
    ]
    assert stock_counts.counts() == []


def test_release_puts_the_unit_back(app, keeper):
    (unit,) = receive(1)
    job = visits.open_job(doa_case())
    inventory.reserve_for_job(job, keeper)
    inventory.release(unit, keeper, note="Visita reprogramada")
    assert unit.status is StockStatus.ON_HAND and unit.reserved_for_job_id is None
    with pytest.raises(StockError, match="no está reservado"):
        inventory.release(unit, keeper)


def test_reservation_fails_when_stock_is_empty(app, keeper):
    receive(1)
    first, second = (visits.open_job(doa_case()) for _ in range(2))
    inventory.reserve_for_job(first, keeper)
    with pytest.raises(StockError, match="No quedan equipos nuevos"):
        inventory.reserve_for_job(second, keeper)


def test_a_unit_taken_by_another_session_cannot_be_reserved_again(app, keeper):
    (unit,) = receive(1)
    first, second = (visits.open_job(doa_case()) for _ in range(2))
    unit_id, first_id = unit.id, first.id
    db.session.commit()
    done = threading.Event()

    def other():
        with app.app_context():
            inventory.reserve_unit(
                db.session.get(StockUnit, unit_id), db.session.get(Job, first_id), None
            )
            db.session.commit()
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert done.is_set()
    with pytest.raises(StockError, match="ya no está disponible"):
        inventory.reserve_unit(unit, second, keeper)


def test_concurrent_reservations_never_take_more_than_there_is(app):
    receive(3)
    job_ids = [visits.open_job(doa_case()).id for _ in range(8)]
    db.session.commit()
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(job_ids))

    def reserve(job_id: int):
        with app.app_context():
            barrier.wait()
            try:
                unit = inventory.reserve_for_job(db.session.get(Job, job_id), None)
                db.session.commit()
                outcome = unit.service_number
            except StockError:
                db.session.rollback()
                outcome = "none"
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=reserve, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [r for r in results if r != "none"]
    assert len(results) == 8 and len(taken) == 3 and len(set(taken)) == 3
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StockUnit)
            .where(StockUnit.status == StockStatus.ON_HAND)
        )
        == 0
    )
    reserved = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .where(StockMovement.kind == MovementKind.RESERVED)
    )
    assert reserved == 3


def test_doa_unit_collected_harvested_and_returned(app, keeper):
    case = doa_case(model="ESP 5250")
    donor = inventory.collect_doa(case, keeper)
    assert donor.category is StockCategory.DOA_COLLECTED and donor.source_case_id == case.id
    with pytest.raises(StockError, match="ya fue recibido"):
        inventory.collect_doa(case, keeper)
    with pytest.raises(StockError, match="al menos un repuesto"):
        spare_parts.make_parts_donor(donor, [" "], keeper)
    parts = spare_parts.make_parts_donor(donor, ["Cabezal", "Fuente de poder"], keeper)
    assert donor.status is StockStatus.PARTS_DONOR and [p.name for p in parts] == [
        "Cabezal",
        "Fuente de poder",
    ]
    repair_case = factories.case()
    spare_parts.take_part(parts[0], repair_case, keeper)
    assert parts[0].status is PartStatus.USED and parts[0].used_in_case_id == repair_case.id
    with pytest.raises(StockError, match="ya fue usado"):
        spare_parts.take_part(parts[0], factories.case(), keeper)
    assert kinds(donor) == [
        MovementKind.DOA_COLLECTED,
        MovementKind.PARTS_DONOR,
        MovementKind.PART_TAKEN,
    ]
    with pytest.raises(StockError, match="no está disponible"):
        inventory.return_to_manufacturer(donor, keeper)
    other = inventory.collect_doa(doa_case(), keeper)
    inventory.return_to_manufacturer(other, keeper, note="Guía 123")
    assert other.status is StockStatus.RETURNED_TO_MANUFACTURER


def test_failure_at_sale_is_a_credit_movement_without_a_case(app, keeper):
    store = Store(name="Hiraoka Centro", ubigeo="150101")
    db.session.add(store)
    db.session.flush()
    movement = store_credit.credit_at_sale(
        store, "c-123 456", "ESP 5250", keeper, "Falló al probarlo"
    )
    assert movement.kind is MovementKind.CREDITED_AT_SALE and movement.case_id is None
    assert movement.stock_unit_id is None and movement.service_number == "C123456"
    assert movement.store_id == store.id and movement.model == "ESP 5250"
    with pytest.raises(StockError, match="ya fue acreditado"):
        store_credit.credit_at_sale(store, "C123456", None, keeper, None)
    with pytest.raises(StockError, match="6 dígitos"):
        store_credit.credit_at_sale(store, "X12", None, keeper, None)


def test_tomorrow_shortage_counts_unreserved_swaps(app, keeper):
    receive(1)
    swaps = [visits.open_job(doa_case()) for _ in range(3)]
    shortage = stock_counts.tomorrow_shortage()
    assert (shortage.needed, shortage.available, shortage.short) == (3, 1, 2)
    inventory.reserve_for_job(swaps[0], keeper)
    shortage = stock_counts.tomorrow_shortage()
    assert (shortage.needed, shortage.available, shortage.short) == (2, 0, 2)
