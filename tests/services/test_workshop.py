"""The workshop: counter and provinces reception, repair, collection, void, exchange, parts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobKind, JobStatus
from fieldapp.domain.roles import Role
from fieldapp.domain.stock import MovementKind, PartStatus, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import DocType, Document, DocumentRequest, OutboxMessage, StockMovement
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from fieldapp.services.supervisor import approval
from fieldapp.services.workshop import inventory, repairs, spare_parts
from fieldapp.services.workshop.repairs import WorkshopError
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.factories import close_job, doa_case

SIGNATURE = factories.signature_data_url()


@pytest.fixture
def tech(app):
    return factories.user(Role.TECHNICIAN)


def requested(case) -> set[DocType]:
    return set(
        db.session.scalars(
            select(DocumentRequest.doc_type).where(DocumentRequest.case_id == case.id)
        )
    )


def notices(case) -> set[str]:
    return set(
        db.session.scalars(select(OutboxMessage.notice).where(OutboxMessage.case_id == case.id))
    )


def test_reception_is_found_by_case_or_service_number(app):
    case = factories.case()
    assert repairs.find_for_reception(case.case_number) is case
    assert repairs.find_for_reception(" " + case.unit.service_number.lower()) is case
    with pytest.raises(WorkshopError, match="No hay un caso abierto"):
        repairs.find_for_reception("KCC-0")
    with pytest.raises(WorkshopError, match="es un DOA"):
        repairs.find_for_reception(doa_case().case_number)


def test_counter_reception_repair_and_collection_with_documents(app, tech):
    case = factories.case()  # warranty, Lima: the customer brings it
    repairs.receive(case, tech, refilled=False, accessories="Cable", condition="Rayado")
    assert case.status is Status.IN_WORKSHOP and case.unit_received_at is not None
    assert DocType.RECEPTION_RECEIPT in requested(case) and "unit_received" in notices(case)
    repair_deadline = next(d for d in case.deadlines if d.name == "repair")
    assert repair_deadline.due_at > case.unit_received_at + timedelta(days=2)
    repairs.set_diagnosis(case, tech, "Cabezal obstruido")
    repairs.add_note(case, tech, "Limpieza de cabezal")
    with pytest.raises(WorkshopError, match="no está listo"):
        repairs.collect_at_counter(case, tech, "María Flores", "45678912", SIGNATURE)
    repairs.repair_done(case, tech)
    assert case.status is Status.REPAIRED and "repair_done" in notices(case)
    assert repair_deadline.done_at is not None and visits.open_job(case) is None
    with pytest.raises(WorkshopError, match="DNI"):
        repairs.collect_at_counter(case, tech, "María Flores", " ", SIGNATURE)
    repairs.collect_at_counter(case, tech, "María Flores", "45678912", SIGNATURE)
    assert case.status is Status.CLOSED and "unit_returned" in notices(case)
    repair = repairs.repair_of(case)
    assert (repair.collected_by_name, repair.diagnosis) == ("María Flores", "Cabezal obstruido")
    assert [n.text for n in repair.notes] == ["Limpieza de cabezal"]
    assert DocType.REPAIR_DELIVERY in requested(case)
    db.session.commit()
    issue_pending()
    issued = set(db.session.scalars(select(Document.doc_type).where(Document.case_id == case.id)))
    assert issued == {DocType.RECEPTION_RECEIPT, DocType.REPAIR_DELIVERY}


def test_provinces_reception_repair_makes_a_return_job(app, tech, courier):
    case = factories.case(customer={"ubigeo": "130101"})
    close_job(case, courier)  # picked up
    assert case.status is Status.PICKED_UP
    repairs.receive(case, tech, refilled=False)
    repairs.repair_done(case, tech)
    with pytest.raises(WorkshopError, match="no en mostrador"):
        repairs.collect_at_counter(case, tech, "María Flores", "45678912", SIGNATURE)
    assert case.status is Status.REPAIRED
    job = visits.open_job(case)
    assert job.kind is JobKind.RETURN and job.status is JobStatus.PENDING


def test_refilled_cartridges_void_the_warranty_at_reception(app, tech):
    case = factories.case()
    repairs.receive(case, tech, refilled=True)
    assert case.status is Status.VOID and case.refilled_cartridges is True
    assert "warranty_voided" in notices(case)
    with pytest.raises(WorkshopError, match="No se puede recibir"):
        repairs.receive(case, tech, refilled=False)


def test_unrepairable_unit_is_swapped_from_exchange_stock_at_the_counter(app, tech):
    case = factories.case()
    repairs.receive(case, tech, refilled=False)
    with pytest.raises(WorkshopError, match="de intercambio"):
        repairs.swap_for_exchange(case, tech, "Placa quemada")
    unit = inventory.receive_from_manufacturer(
        factories.programme(), "T700001", "ESP 3250", StockCategory.EXCHANGE, tech
    )
    with pytest.raises(WorkshopError, match="por qué"):
        repairs.swap_for_exchange(case, tech, "")
    assert repairs.swap_for_exchange(case, tech, "Placa quemada") is unit
    assert unit.status is StockStatus.RESERVED and case.status is Status.REPAIRED
    repairs.collect_at_counter(case, tech, "María Flores", "45678912", SIGNATURE)
    assert unit.status is StockStatus.DELIVERED and case.status is Status.CLOSED
    delivered = db.session.scalar(
        select(StockMovement).where(StockMovement.kind == MovementKind.DELIVERED)
    )
    assert delivered.case_id == case.id and delivered.stock_unit_id == unit.id


def test_unrepairable_provinces_unit_travels_on_the_return_job(app, tech, courier):
    case = factories.case(customer={"ubigeo": "130101"})
    close_job(case, courier)
    repairs.receive(case, tech, refilled=False)
    unit = inventory.receive_from_manufacturer(
        factories.programme(), "C700002", "ESP 5250", StockCategory.EXCHANGE, tech
    )
    repairs.swap_for_exchange(case, tech, "Sin repuesto")
    job = visits.open_job(case)
    assert unit.reserved_for_job_id == job.id
    close_job(case, courier)
    approval.approve(job, factories.user(Role.SUPERVISOR))
    assert unit.status is StockStatus.DELIVERED and case.status is Status.CLOSED


def test_doa_unit_harvested_and_its_part_used_in_a_repair(app, tech):
    donor = inventory.collect_doa(doa_case(), tech)
    (part,) = spare_parts.make_parts_donor(donor, ["Cabezal de impresión"], tech)
    case = factories.case()
    with pytest.raises(WorkshopError, match="en taller"):
        repairs.use_part(case, part, tech)
    repairs.receive(case, tech, refilled=False)
    assert repairs.available_parts() == [part]
    repairs.use_part(case, part, tech)
    assert part.status is PartStatus.USED and repairs.parts_used(case) == [part]
    assert repairs.available_parts() == []
    other = factories.case()
    repairs.receive(other, tech, refilled=False)
    with pytest.raises(WorkshopError, match="ya fue usado"):
        repairs.use_part(other, part, tech)


def test_repair_queue_is_ordered_by_deadline(app, tech):
    late, early = factories.case(), factories.case()
    repairs.receive(late, tech, refilled=False, at=utcnow())
    repairs.receive(early, tech, refilled=False, at=utcnow() - timedelta(days=6))
    rows = repairs.repair_queue()
    assert [row.case for row in rows] == [early, late]
    assert rows[0].urgency.value == "overdue"
