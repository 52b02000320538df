"""Pages of jobs sent by agency: who may open them, bad input answered with field messages,
and the customer's tracking page showing the carrier and tracking number."""

from __future__ import annotations

import pytest

from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models import Job
from fieldapp.services.dispatch import carrier_shipments
from tests import factories
from tests.conftest import csrf_token
from tests.services.test_shipments import doa_job, send


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
