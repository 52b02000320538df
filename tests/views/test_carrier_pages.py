"""Pages of jobs sent by agency: who may open them, bad input answered with field messages,
the cost of each leg, the receiver's signature shown with the delivery, expected arrivals and the
deadline they put at risk, and the customer's tracking page showing the carrier, tracking number
and expected arrival."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JobKind
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models import Job
from fieldapp.services.dispatch import carrier_shipments
from tests import factories
from tests.conftest import csrf_token
from tests.services.test_shipments import doa_job, jpeg, send


@pytest.fixture
def dispatcher(app, login):
    user = factories.user(Role.DISPATCHER)
    login(user.username)
    return user


@pytest.mark.parametrize("role", [Role.COURIER, Role.SUPERVISOR, Role.TECHNICIAN])
def test_only_dispatch_opens_the_carrier_pages(app, client, login, role):
    job = doa_job()
    login(factories.user(role).username)
    for path in ("/dispatch/shipments/", f"/dispatch/jobs/{job.id}/carrier"):
        assert client.get(path).status_code == 403


def test_unknown_or_wrong_mode_jobs_are_not_found(client, dispatcher):
    job = doa_job()
    assert client.get("/dispatch/jobs/999999/carrier").status_code == 404
    assert client.get(f"/dispatch/shipments/jobs/{job.id}").status_code == 404  # not sent yet
    send(job, dispatcher)
    assert client.get(f"/dispatch/jobs/{job.id}/carrier").status_code == 404  # sent already


def test_a_bad_booking_is_answered_with_field_messages_and_saves_nothing(client, dispatcher):
    job = doa_job()
    answer = client.post(
        f"/dispatch/jobs/{job.id}/carrier",
        data={
            "csrf_token": csrf_token(client, f"/dispatch/jobs/{job.id}/carrier"),
            "carrier": "Mi primo",
            "agency_branch": "",
            "declared_units": "0",
            "cost": "-3",
            "waybill_to_customer": "<script>",
        },
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Elija una agencia de la lista." in page
    assert "Indique la sucursal de la agencia." in page
    assert "Entre 1 y 20 bultos." in page
    assert "Entre S/ 0 y S/ 10 000." in page
    assert "Solo letras, números, guiones y barras." in page
    assert carrier_shipments.of_job(db.session.get(Job, job.id)) == []


def test_a_refused_move_keeps_the_state_and_says_why(client, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    path = f"/dispatch/shipments/jobs/{job.id}"
    answer = client.post(
        f"/dispatch/shipments/{out.id}/move",
        data={
            f"s{out.id}-csrf_token": csrf_token(client, path),
            f"s{out.id}-status": ShipmentStatus.HANDED_OVER.value,
        },
    )
    assert answer.status_code == 422
    assert "falta la foto de la guía" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert carrier_shipments.of_job(db.session.get(Job, job.id))[0].status is ShipmentStatus.BOOKED


def test_the_tracking_page_names_the_carrier_and_number(app, dispatcher):
    job = doa_job()
    send(job, dispatcher)
    page = app.test_client().get(f"/t/{job.tracking_token}").get_data(as_text=True)
    assert "Su equipo viaja por agencia de transportes." in page
    assert "Shalom" in page and "SH-0012345" in page
    assert "Envío al cliente: reservado" in page
    arrival = carrier_shipments.arrival(carrier_shipments.of_job(job)[0]).astimezone(LIMA_TZ)
    assert f"Llegada estimada: <strong>{arrival:%d/%m/%Y}</strong>" in page


def book_page(client, job, **fields):
    path = f"/dispatch/jobs/{job.id}/carrier"
    data = {
        "csrf_token": csrf_token(client, path),
        "carrier": "Shalom",
        "agency_branch": "Shalom Iquitos",
        "declared_units": "1",
        "waybill_to_customer": "SH-1",
        **fields,
    }
    return client.post(path, data=data)


def test_a_swap_is_booked_with_a_cost_for_each_leg(client, dispatcher):
    job = doa_job()
    page = client.get(f"/dispatch/jobs/{job.id}/carrier").get_data(as_text=True)
    assert "Costo del envío al cliente (S/)" in page and "Costo del retorno al ST (S/)" in page
    answer = book_page(client, job, cost="45,50", return_cost="38")
    assert answer.status_code == 303
    out, back = carrier_shipments.of_job(db.session.get(Job, job.id))
    assert (out.cost, back.cost) == (Decimal("45.50"), Decimal("38.00"))


@pytest.mark.parametrize(
    ("cost", "return_cost", "message"),
    [
        ("12.345", "", "Como máximo 2 decimales (céntimos)."),
        ("", "-1", "Entre S/ 0 y S/ 10 000."),
        ("", "doce", "Escriba un monto, por ejemplo 45.50."),
        ("", "7.999", "Como máximo 2 decimales (céntimos)."),
    ],
)
def test_a_bad_leg_cost_is_answered_with_its_field_message(
    client, dispatcher, cost, return_cost, message
):
    job = doa_job()
    answer = book_page(client, job, cost=cost, return_cost=return_cost)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert carrier_shipments.of_job(db.session.get(Job, job.id)) == []


def test_a_single_leg_job_has_one_cost_field(app, client, dispatcher):
    job = doa_job()
    job.kind = JobKind.RETURN
    db.session.commit()
    page = client.get(f"/dispatch/jobs/{job.id}/carrier").get_data(as_text=True)
    assert "Costo (S/)" in page and "Costo del retorno al ST" not in page


def test_the_delivery_shows_the_receiver_and_the_signature_the_agency_returned(client, dispatcher):
    job = doa_job()
    out, _back = send(job, dispatcher)
    path = f"/dispatch/shipments/jobs/{job.id}"

    def move(status: str, **extra):
        data = {f"s{out.id}-csrf_token": csrf_token(client, path), f"s{out.id}-status": status}
        data.update({f"s{out.id}-{name}": value for name, value in extra.items()})
        return client.post(
            f"/dispatch/shipments/{out.id}/move", data=data, content_type="multipart/form-data"
        )

    assert move("handed_over", waybill_photo=(io.BytesIO(jpeg()), "guia.jpg")).status_code == 303
    refused = move("in_transit", receiver_signature=(io.BytesIO(jpeg()), "firma.jpg"))
    assert refused.status_code == 422
    assert "La firma de quien recibió se registra con el estado" in refused.get_data(as_text=True)
    answer = move(
        "delivered",
        receiver_name="Ana Ruiz",
        receiver_document_id="41234567",
        receiver_signature=(io.BytesIO(jpeg("ivory")), "firma.jpg"),
    )
    assert answer.status_code == 303
    page = client.get(path).get_data(as_text=True)
    db.session.expire_all()
    kept = carrier_shipments.receiver_signatures([out])[out.id]
    assert "Ana Ruiz · DNI 41234567" in page
    assert f'href="/media/{kept.id}" data-test="receiver-signature"' in page
    image = client.get(f"/media/{kept.id}")
    assert image.status_code == 200 and image.content_type == "image/jpeg"
    assert image.data[:2] == b"\xff\xd8"


def test_the_shipments_list_gives_arrivals_and_flags_a_late_one_at_risk(app, client, dispatcher):
    # Same-day arrival by road: before the due time, whatever the day the suite runs.
    app.config.update(CARRIER_TRANSIT_DAYS={"Shalom": 0}, NO_ROAD_DEPARTMENTS=())
    job = doa_job()
    out, _back = send(job, dispatcher)
    arrival = carrier_shipments.arrival(out)
    page = client.get("/dispatch/shipments/").get_data(as_text=True)
    assert f"llegada estimada {arrival.astimezone(LIMA_TZ):%d/%m/%Y}" in page
    assert 'data-deadline-status="on_track"' in page and "después del plazo" not in page
    app.config["CARRIER_TRANSIT_DAYS"] = {"Shalom": 30}
    page = client.get("/dispatch/shipments/").get_data(as_text=True)
    assert 'data-deadline-status="at_risk"' in page and "después del plazo" in page
    detail = client.get(f"/dispatch/shipments/jobs/{job.id}").get_data(as_text=True)
    assert 'data-deadline-status="at_risk"' in detail and "Después del plazo" in detail
