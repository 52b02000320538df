"""The counter intake form: live feedback, districts by department, errors kept by field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Flow, Status
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Case
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def clerk(login):
    factories.programme()
    user = factories.user(Role.TECHNICIAN)
    login(user.username)
    return user


def _form(client, **overrides):
    data = {
        "csrf_token": csrf_token(client, "/cases/new"),
        "case_number": "KCC-MOST-1",
        "origin": "st_counter",
        "service_number": "t-123 456",
        "product_type": "printer",
        "model": "ESP 3250",
        "purchase_date": factories.days_ago(120).isoformat(),
        "failure_date": "",
        "proof_type": "boleta",
        "proof_number": "B001-555",
        "customer_name": "Rosa Quispe",
        "customer_phone": "987 654 321",
        "customer_email": "rosa@correo.example",
        "customer_document_id": "45678912",
        "customer_address": "Jr. Junín 120",
        "customer_department": "15",
        "customer_province": "1501",
        "customer_district": "150122",
        "store_name": "",
        "store_address": "",
        "store_department": "",
        "store_province": "",
        "store_district": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_form_page_lists_departments(client, clerk):
    html = client.get("/cases/new").get_data(as_text=True)
    assert "Registrar caso" in html
    assert '<option value="15">Lima</option>' in html
    assert '<option value="08">Cusco</option>' in html
    assert 'hx-post="/cases/new/assess"' in html


def test_walk_in_is_registered_in_the_workshop(client, clerk):
    response = client.post("/cases/new", data=_form(client))
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/KCC-MOST-1"
    case = db.session.scalar(select(Case).where(Case.case_number == "KCC-MOST-1"))
    assert case.unit.service_number == "T123456"
    assert case.flow is Flow.WALK_IN and case.status is Status.IN_WORKSHOP
    assert [d.name for d in case.deadlines] == ["repair"]
    assert case.created_by_user_id == clerk.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id))
    assert event.action == "created" and event.actor_user_id == clerk.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Caso KCC-MOST-1 registrado." in page


def test_store_doa_uses_the_store_district(client, clerk):
    data = _form(
        client,
        case_number="KCC-TIENDA-1",
        origin="store",
        purchase_date=factories.days_ago(10).isoformat(),
        store_name="Hiraoka Arequipa",
        store_address="Av. Ejército 101",
        store_department="04",
        store_province="0401",
        store_district="040101",
    )
    assert client.post("/cases/new", data=data).status_code == 303
    case = db.session.scalar(select(Case).where(Case.case_number == "KCC-TIENDA-1"))
    assert case.flow is Flow.DOA_STORE
    assert case.ubigeo == "040101" and case.distance_band == 3
    assert case.store.name == "Hiraoka Arequipa"


def test_errors_are_shown_next_to_fields_and_input_is_kept(client, clerk):
    data = _form(
        client,
        service_number="12345",
        product_type="camera",
        customer_district="",
        customer_name="Rosa <b>Quispe</b>",
    )
    response = client.post("/cases/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "letra seguida de 6 dígitos" in html
    assert "G&amp;N DIGITAL" in html and "FOTO DIGITAL" in html
    assert "Indique el distrito" in html
    assert 'value="KCC-MOST-1"' in html  # input kept
    assert "Rosa &lt;b&gt;Quispe&lt;/b&gt;" in html  # escaped, kept
    assert db.session.scalar(select(Case)) is None


def test_out_of_warranty_and_future_dates(client, clerk):
    data = _form(client, purchase_date=factories.days_ago(800).isoformat())
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Fuera de garantía" in html
    later = (factories.days_ago(0) + timedelta(days=3)).isoformat()
    html = client.post("/cases/new", data=_form(client, purchase_date=later)).get_data(as_text=True)
    assert "no puede ser posterior a la fecha de hoy" in html
    assert db.session.scalar(select(Case)) is None


def test_duplicate_case_number_and_open_unit(client, clerk):
    existing = factories.case(case_number="KCC-DUP", service_number="C654321")
    html = client.post("/cases/new", data=_form(client, case_number="KCC-DUP")).get_data(
        as_text=True
    )
    assert "El caso KCC-DUP ya fue registrado." in html
    data = _form(client, case_number="KCC-NEW", service_number="c654321")
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert f"ya tiene un caso abierto ({existing.case_number})" in html


def test_store_origin_needs_a_store(client, clerk):
    html = client.post("/cases/new", data=_form(client, origin="store")).get_data(as_text=True)
    assert "Indique la tienda" in html


def test_assessment_fragment_tells_kind_zone_and_deadline(client, clerk):
    data = _form(
        client,
        service_number="C000777",
        origin="call_center",
        purchase_date=factories.days_ago(30).isoformat(),
        customer_department="13",
        customer_province="1301",
        customer_district="130101",
    )
    response = client.post("/cases/new/assess", data=data, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="assessment"' in html
    assert "C000777 · ESP 5" in html
    assert "DOA (cambio)" in html  # day 30 is still DOA
    assert "Provincias · banda 2" in html
    assert "DOA provincias" in html
    assert re.search(r"Plazo cambio</dt><dd>\d\d/\d\d/\d{4} 23:59", html)


def test_assessment_reports_problems_without_storing(client, clerk):
    data = _form(client, service_number="XX1", purchase_date=factories.days_ago(31).isoformat())
    html = client.post("/cases/new/assess", data=data).get_data(as_text=True)
    assert "letra seguida de 6 dígitos" in html
    assert "Garantía (reparación)" in html  # day 31 is warranty
    assert db.session.scalar(select(Case)) is None


def test_assess_needs_csrf(client, clerk):
    data = _form(client)
    data.pop("csrf_token")
    assert client.post("/cases/new/assess", data=data).status_code == 400


def test_provinces_and_districts_cascade(client, clerk):
    html = client.get(
        "/cases/places/provinces", query_string={"prefix": "customer", "customer_department": "15"}
    ).get_data(as_text=True)
    assert '<option value="1501">Lima</option>' in html
    assert '<option value="1505">Cañete</option>' in html
    assert 'name="customer_district"' in html
    html = client.get(
        "/cases/places/districts", query_string={"prefix": "store", "store_province": "1501"}
    ).get_data(as_text=True)
    assert '<option value="150122">Miraflores</option>' in html
    assert 'name="store_district"' in html
    assert client.get("/cases/places/planets?prefix=customer").status_code == 404
