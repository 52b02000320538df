"""Jobs sent by agency: booking two linked shipments for a DOA swap, their states with
evidence (the receiver's signature the agency returns), closing on reception, review, approval,
the documents and the tracking page; the cost of each leg, each leg's expected arrival and the
deadline it puts at risk, and the customer's e-mail about the booking."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.domain.case_flow import Notice, Status
from fieldapp.domain.deadlines import Urgency, add_business_days, end_of_day, lima_date
from fieldapp.domain.jobs import JobKind, JobStatus
from fieldapp.domain.notices import lima_date_text
from fieldapp.domain.review import Flag
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import Direction, JobMode, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models import Attachment, CourierProfile, DocType, Document, Job, OutboxMessage
from fieldapp.models.types import utcnow
from fieldapp.services.cases import deadline_status, tracking, visits
from fieldapp.services.dispatch import board, carrier_actions, carrier_shipments
from fieldapp.services.documents import issuing
from fieldapp.services.supervisor import approval
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.factories import jpeg

IQUITOS, SAN_ISIDRO = "160101", "150131"


@pytest.fixture
def dispatcher(app):
    return factories.user(Role.DISPATCHER, full_name="Diego Despacho")


def lima_courier() -> CourierProfile:
    return factories.courier_profile(factories.user(Role.COURIER, full_name="Carlos Quispe"))


def doa_job(ubigeo: str = IQUITOS) -> Job:
    case = factories.case(
        purchase_date=factories.days_ago(5),
        proof_type="boleta",
        proof_number="B001-4567",
        customer={"ubigeo": ubigeo, "address": "Jr. Próspero 345"},
    )
    job = visits.open_job(case)
    assert job.kind is JobKind.DOA_SWAP
    return job


def booking(**overrides) -> carrier_actions.Booking:
    values = {
        "carrier": "Shalom",
        "agency_branch": "Shalom Iquitos — Av. Quiñones 1200",
        "declared_units": 1,
        "cost": Decimal("45.50"),
        "waybills": {Direction.TO_CUSTOMER: "sh-0012345", Direction.TO_ST: ""},
    }
    return carrier_actions.Booking(**{**values, **overrides})


def send(job, actor):
    made = carrier_actions.book(job, booking(), actor)
    db.session.commit()
    return made


def deliver_both(job, actor, start):
    out, back = carrier_shipments.of_job(job)
    steps = [
        (out, ShipmentStatus.HANDED_OVER, {"waybill_photo": jpeg()}),
        (out, ShipmentStatus.IN_TRANSIT, {}),
        (
            out,
            ShipmentStatus.DELIVERED,
            {"receiver_name": "Ana Ruiz", "receiver_document_id": "41234567"},
        ),
        (back, ShipmentStatus.HANDED_OVER, {"waybill": "SH-0099887", "waybill_photo": jpeg("tan")}),
        (back, ShipmentStatus.IN_TRANSIT, {}),
        (back, ShipmentStatus.DELIVERED, {"receiver_name": "Mostrador ST"}),
    ]
    for hours, (leg, status, extra) in enumerate(steps, start=1):
        carrier_actions.advance(
            leg, carrier_actions.Move(status, at=start + timedelta(hours=hours), **extra), actor
        )
    db.session.commit()
    return out, back


def reception(**overrides) -> carrier_actions.Reception:
    values = {
        "checked_service_number": None,
        "replacement_service_number": "c765432",
        "refilled": False,
        "photos": {"proof_of_purchase": jpeg("white")},
    }
    return carrier_actions.Reception(**{**values, **overrides})


def test_a_doa_swap_by_carrier_is_two_linked_shipments_off_the_board(app, dispatcher):
    job = doa_job()
    out, back = send(job, dispatcher)
    assert (out.direction, back.direction) == (Direction.TO_CUSTOMER, Direction.TO_ST)
    assert out.linked_id == back.id and back.linked_id == out.id
    assert out.waybill == "SH-0012345" and back.waybill is None
    assert out.cost == Decimal("45.50") and back.cost is None
    assert job.mode is JobMode.CARRIER and job.status is JobStatus.PLANNED
    assert job.case.status is Status.SCHEDULED
    assert job.due_at == next(d.due_at for d in job.case.deadlines if d.name == "swap")
    state = board.of_day(factories.days_ago(0))
    assert job.id not in {j.id for j in state.to_plan}
    assert [o.job.id for o in carrier_shipments.open_jobs()] == [job.id]


def test_booking_refuses_an_unknown_carrier_or_a_job_sent_already(app, dispatcher):
    job = doa_job()
    with pytest.raises(carrier_actions.ShipmentError, match="Elija una agencia"):
        carrier_actions.book(job, booking(carrier="Mi primo"), dispatcher)
    send(job, dispatcher)
    with pytest.raises(carrier_actions.ShipmentError, match="enviado por agencia"):
        carrier_actions.book(job, booking(), dispatcher)


def test_hand_over_needs_the_waybill_and_its_photo_and_states_follow_the_table(app, dispatcher):
    job = doa_job()
    out, back = send(job, dispatcher)
    with pytest.raises(carrier_actions.ShipmentError, match="falta la foto de la guía"):
        carrier_actions.advance(out, carrier_actions.Move(ShipmentStatus.HANDED_OVER), dispatcher)
    with pytest.raises(carrier_actions.ShipmentError, match="el número de guía y la foto"):
        carrier_actions.advance(back, carrier_actions.Move(ShipmentStatus.HANDED_OVER), dispatcher)
    with pytest.raises(
        carrier_actions.ShipmentError, match="no puede pasar a «entregado / recogido»"
    ):
        carrier_actions.advance(out, carrier_actions.Move(ShipmentStatus.DELIVERED), dispatcher)
    carrier_actions.advance(
        out, carrier_actions.Move(ShipmentStatus.HANDED_OVER, waybill_photo=jpeg()), dispatcher
    )
    assert out.status is ShipmentStatus.HANDED_OVER and out.handed_over_at is not None
    assert job.status is JobStatus.IN_PROGRESS


def test_closing_lists_what_is_missing_then_goes_to_review_and_approval(app, dispatcher):
    job = doa_job()
    send(job, dispatcher)
    start = utcnow() - timedelta(hours=10)
    out, _back = deliver_both(job, dispatcher, start)
    with pytest.raises(carrier_actions.ShipmentError) as missing:
        carrier_actions.close(job, reception(photos={}, refilled=None), dispatcher)
    text = str(missing.value)
    assert "verificar el número de servicio" in text
    assert "foto del comprobante de compra" in text
    assert "cartuchos" in text
    db.session.rollback()
    job = db.session.get(Job, job.id)
    carrier_actions.close(
        job, reception(checked_service_number=job.case.unit.service_number), dispatcher
    )
    db.session.commit()
    assert job.status is JobStatus.DONE and job.case.status is Status.SWAPPED
    # The swap counts when the customer got the new unit, not when the ST closed the job.
    assert job.completed_at == out.delivered_at
    item = approval.item_for(job)
    assert Flag.NO_POSITION not in item.review.flags
    assert item.review.clean, item.review.flags
    assert [s.waybill for s in item.shipments] == ["SH-0012345", "SH-0099887"]
    supervisor = factories.user(Role.SUPERVISOR)
    approval.approve(job, supervisor)
    db.session.commit()
    assert job.status is JobStatus.APPROVED and job.case.status is Status.CLOSED


def test_the_delivery_note_carries_the_waybill_numbers(app, dispatcher):
    job = doa_job()
    send(job, dispatcher)
    deliver_both(job, dispatcher, utcnow() - timedelta(hours=10))
    carrier_actions.close(
        job, reception(checked_service_number=job.case.unit.service_number), dispatcher
    )
    db.session.commit()
    report = issue_pending()
    assert report.failed == 0
    note = db.session.scalar(
        select(Document).where(Document.doc_type == DocType.DOA_DELIVERY, Document.job_id == job.id)
    )
    reader = PdfReader(io.BytesIO(issuing.pdf_bytes(note)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "SH-0012345" in text and "SH-0099887" in text
    assert "Shalom" in text and "Ana Ruiz" in text
    assert "Recibido por: Ana Ruiz, DNI 41234567" in text


def test_a_shipment_returned_by_the_agency_fails_the_job_back_to_dispatch(app, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    carrier_actions.advance(
        out, carrier_actions.Move(ShipmentStatus.HANDED_OVER, waybill_photo=jpeg()), dispatcher
    )
    carrier_actions.advance(out, carrier_actions.Move(ShipmentStatus.RETURNED), dispatcher)
    db.session.commit()
    assert job.status is JobStatus.FAILED and "devolvió el envío SH-0012345" in job.outcome_note
    again = visits.open_job(job.case)
    assert again is not None and again.attempt == 2 and again.mode is JobMode.COURIER
    assert job.case.status is Status.RECEIVED
    assert again.id in {j.id for j in board.of_day(factories.days_ago(0)).to_plan}
    # The customer is told the agency sent it back, not that "our courier" went there.
    seen = tracking.find(job.tracking_token)
    assert seen.state == "failed"
    assert "la agencia de transportes nos devolvió el envío sin entregarlo" in seen.failure
    assert "courier" not in seen.failure


def test_far_jobs_are_suggested_for_carrier_and_lima_ones_are_not(app):
    profile = lima_courier()
    far, near = doa_job(IQUITOS), doa_job(SAN_ISIDRO)
    working = [(profile.user, profile)]
    assert carrier_shipments.suggestions([far, near], working) == {far.id}
    # With no courier working, nobody can reach any job.
    assert carrier_shipments.suggestions([near], []) == {near.id}


def test_the_tracking_page_shows_the_carrier_and_tracking_number(app, dispatcher):
    job = doa_job()
    send(job, dispatcher)
    seen = tracking.find(job.tracking_token)
    assert seen.state == "carrier"
    assert ("Shalom", "SH-0012345", "Envío al cliente: reservado") in seen.shipments
    assert ("Shalom", "por asignar", "Retorno al servicio técnico: reservado") in seen.shipments


def test_each_leg_of_a_swap_keeps_its_own_cost(app, dispatcher):
    job = doa_job()
    out, back = carrier_actions.book(job, booking(return_cost=Decimal("38.00")), dispatcher)
    assert (out.cost, back.cost) == (Decimal("45.50"), Decimal("38.00"))


def test_the_receiver_signature_is_kept_cleaned_with_the_delivery(app, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    carrier_actions.advance(
        out, carrier_actions.Move(ShipmentStatus.HANDED_OVER, waybill_photo=jpeg()), dispatcher
    )
    db.session.commit()
    # Only with the delivery, and only an image.
    with pytest.raises(carrier_actions.ShipmentError, match="firma de quien recibió"):
        carrier_actions.advance(
            out,
            carrier_actions.Move(ShipmentStatus.IN_TRANSIT, receiver_signature=jpeg()),
            dispatcher,
        )
    with pytest.raises(carrier_actions.ShipmentError, match="^Firma: "):
        carrier_actions.advance(
            out,
            carrier_actions.Move(ShipmentStatus.DELIVERED, receiver_signature=b"not an image"),
            dispatcher,
        )
    db.session.rollback()
    out = db.session.get(type(out), out.id)
    assert out.status is ShipmentStatus.HANDED_OVER
    assert carrier_shipments.receiver_signatures([out]) == {}
    move = carrier_actions.Move(
        ShipmentStatus.DELIVERED,
        receiver_name="Ana Ruiz",
        receiver_document_id="41234567",
        receiver_signature=jpeg("ivory"),
    )
    carrier_actions.advance(out, move, dispatcher)
    db.session.commit()
    kept = carrier_shipments.receiver_signatures([out])[out.id]
    assert kept.purpose == "receiver_signature" and kept.kind == "photo"
    assert (kept.job_id, kept.case_id) == (job.id, job.case_id)
    assert kept.content_type == "image/jpeg" and kept.uploaded_by_id == dispatcher.id
    waybills = db.session.scalars(
        select(Attachment).where(Attachment.shipment_id == out.id, Attachment.purpose == "waybill")
    ).all()
    assert len(waybills) == 1 and waybills[0].id != kept.id
    assert (out.receiver_name, out.receiver_document_id) == ("Ana Ruiz", "41234567")


def test_each_leg_is_expected_after_its_agency_s_business_days(app, dispatcher):
    job = doa_job()  # Iquitos: no road, one day more
    out, back = send(job, dispatcher)
    booked = lima_date(out.booked_at)
    assert carrier_shipments.arrival(out) == end_of_day(add_business_days(booked, 3 + 1))
    app.config["CARRIER_TRANSIT_DAYS"] = {"Shalom": 5}
    assert carrier_shipments.arrival(back) == end_of_day(add_business_days(booked, 5 + 1))
    # Counted from the hand-over once it happened; none once the leg arrived.
    handed = out.booked_at + timedelta(days=2)
    carrier_actions.advance(
        out,
        carrier_actions.Move(ShipmentStatus.HANDED_OVER, at=handed, waybill_photo=jpeg()),
        dispatcher,
    )
    assert carrier_shipments.arrival(out) == end_of_day(add_business_days(lima_date(handed), 6))
    carrier_actions.advance(
        out, carrier_actions.Move(ShipmentStatus.DELIVERED, at=handed), dispatcher
    )
    assert carrier_shipments.arrival(out) is None
    [item] = carrier_shipments.open_jobs()
    assert item.arrivals == {out.id: None, back.id: carrier_shipments.arrival(back)}


def test_an_arrival_after_the_due_time_puts_the_job_at_risk(app, dispatcher):
    job = doa_job()
    send(job, dispatcher)
    now = utcnow()
    # Same-day arrival by road: before the due time, whatever the day the suite runs.
    app.config.update(CARRIER_TRANSIT_DAYS={"Shalom": 0}, NO_ROAD_DEPARTMENTS=())
    assert carrier_shipments.deadline_arrival(job) <= job.due_at
    assert deadline_status.of_job(job, now) is Urgency.ON_TRACK
    app.config["CARRIER_TRANSIT_DAYS"] = {"Shalom": 30}
    assert carrier_shipments.deadline_arrival(job) > job.due_at
    assert deadline_status.of_job(job, now) is Urgency.AT_RISK
    # Past the due time it is overdue, whatever the arrival.
    assert deadline_status.of_job(job, job.due_at + timedelta(seconds=1)) is Urgency.OVERDUE


def test_a_courier_job_is_not_judged_by_any_arrival(app):
    job = doa_job()
    app.config["CARRIER_TRANSIT_DAYS"] = {"Shalom": 30}
    assert deadline_status.of_job(job, utcnow()) is Urgency.ON_TRACK


def test_the_customer_is_mailed_the_carrier_numbers_branch_arrival_and_link(app, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.notice == Notice.CARRIER_BOOKED.value)
    ).all()
    assert [m.to_address for m in messages] == ["maria@correo.example"]
    text = messages[0].body_text
    assert "por la agencia de transportes Shalom" in text
    assert "Envío de su equipo: Shalom, N.º de guía (seguimiento) SH-0012345" in text
    assert (
        "Retorno del equipo a nuestro taller: Shalom, N.º de guía (seguimiento) por asignar" in text
    )
    assert "Agencia: Shalom Iquitos — Av. Quiñones 1200." in text
    assert (
        f"SH-0012345; llegada estimada el {lima_date_text(carrier_shipments.arrival(out))}." in text
    )
    assert f"{app.config['PUBLIC_URL']}/t/{job.tracking_token}" in text
    assert messages[0].subject.startswith(f"Caso {job.case.case_number} – Envío por agencia")


def test_no_mail_for_a_customer_without_an_address(app, dispatcher):
    job = doa_job()
    job.case.customer.email = None
    send(job, dispatcher)
    assert (
        db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.notice == Notice.CARRIER_BOOKED.value)
        )
        is None
    )


def test_the_tracking_page_gives_the_expected_arrival(app, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    assert tracking.find(job.tracking_token).arrival == carrier_shipments.arrival(out)
    # Under way once handed over (not "the courier is at your door"), counted from the hand-over.
    handed = out.booked_at + timedelta(days=1)
    carrier_actions.advance(
        out,
        carrier_actions.Move(ShipmentStatus.HANDED_OVER, at=handed, waybill_photo=jpeg()),
        dispatcher,
    )
    db.session.commit()
    assert job.status is JobStatus.IN_PROGRESS
    seen = tracking.find(job.tracking_token)
    assert seen.state == "carrier"
    assert (
        seen.arrival
        == carrier_shipments.arrival(out)
        == end_of_day(add_business_days(lima_date(handed), 3 + 1))
    )
    assert ("Shalom", "SH-0012345", "Envío al cliente: entregado a la agencia") in seen.shipments
