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
def clerk(logged_in):
    factories.programme()
    return logged_in(Role.TECHNICIAN)


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
        "customer_place": "Miraflores, Lima (Lima)",
        "customer_district": "150122",
        "store_name": "",
        "store_address": "",
        "store_place": "",
        "store_district": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_form_page_has_a_district_type_ahead_not_cascading_selects(client, clerk):
    html = client.get("/cases/new").get_data(as_text=True)
    assert "Registrar caso" in html
    assert 'hx-post="/cases/new/assess"' in html
    assert 'name="customer_department"' not in html and 'name="customer_province"' not in html
    inputs = re.findall(r"<input[^>]*>", html)
    typed = next(i for i in inputs if 'name="customer_place"' in i)
    assert 'hx-get="/cases/places?prefix=customer"' in typed and "data-place-text" in typed
    code = next(i for i in inputs if 'name="customer_district"' in i)
    assert 'type="hidden"' in code and "data-place-code" in code
    assert "js/place-picker.js" in html


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
        store_place="Arequipa, Arequipa (Arequipa)",
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
        customer_place="",
        customer_district="",
        customer_name="Rosa <b>Quispe</b>",
    )
    response = client.post("/cases/new", data=data)
    assert response.status_code == 422
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
        customer_place="Trujillo",
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


def test_district_suggestions_as_the_clerk_types(client, clerk):
    html = client.get(
        "/cases/places", query_string={"prefix": "customer", "customer_place": "miraf"}
    ).get_data(as_text=True)
    assert "<html" not in html and 'id="customer_place-options"' in html
    options = re.findall(r'data-ubigeo="(\d{6})" data-label="([^"]+)"', html)
    assert options[0] == ("150122", "Miraflores, Lima (Lima)")  # Lima first
    assert ("040110", "Miraflores, Arequipa (Arequipa)") in options
    html = client.get(
        "/cases/places", query_string={"prefix": "store", "store_place": "xyzzy"}
    ).get_data(as_text=True)
    assert 'id="store_place-options"' in html and "Ningún distrito coincide con «xyzzy»" in html
    assert client.get("/cases/places?prefix=planet").status_code == 404


def test_a_typed_district_that_names_one_district_is_taken(client, clerk):
    data = _form(client, customer_place="lince", customer_district="")
    assert client.post("/cases/new", data=data).status_code == 303
    case = db.session.scalar(select(Case).where(Case.case_number == "KCC-MOST-1"))
    assert case.ubigeo == "150116"


def test_an_ambiguous_typed_district_asks_to_pick_one(client, clerk):
    data = _form(client, customer_place="Miraflores", customer_district="")
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert "Elija el distrito «Miraflores» de la lista de sugerencias." in html
    assert db.session.scalar(select(Case)) is None


def test_every_error_shows_at_once_with_the_rule_errors(client, clerk):
    """A field the form itself refuses (no customer name, no phone) no longer hides the service
    number and date errors that the live panel showed."""
    later = (factories.days_ago(0) + timedelta(days=3)).isoformat()
    data = _form(
        client,
        service_number="12345",
        purchase_date=later,
        customer_name="",
        customer_phone="",
        customer_place="",
        customer_district="",
    )
    response = client.post("/cases/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[
        html.index('data-test="error-summary"') : html.index(
            "</div>", html.index('data-test="error-summary"')
        )
    ]
    for expected in (
        "letra seguida de 6 dígitos",
        "no puede ser posterior a la fecha de hoy",
        "Ingrese el nombre del cliente.",
        "Ingrese un teléfono de contacto.",
        "Indique el distrito",
    ):
        assert expected in summary, expected
    assert summary.count("Ingrese el nombre del cliente.") == 1
    assert 'id="service_number-error"' in html and 'id="purchase_date-error"' in html
    # the live panel keeps what it said
    panel = html[html.index('id="assessment"') :]
    assert "letra seguida de 6 dígitos" in panel
    assert db.session.scalar(select(Case)) is None


def test_missing_purchase_date_is_one_message(client, clerk):
    html = client.post("/cases/new", data=_form(client, purchase_date="")).get_data(as_text=True)
    assert html.count("Ingrese la fecha de compra") == 2  # summary and field
