"""POST /api/v1/cases with bad input: 400, 401, 409 and 422, each with its messages, and
nothing stored."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Case
from tests.api.conftest import API_KEY, AUTH, body

BODY_MESSAGE = "El cuerpo de la solicitud debe ser un objeto JSON (Content-Type: application/json)."


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def errors_of(answer, status: int = 422) -> dict[str, list[str]]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.get_json()["errors"]


def tomorrow() -> str:
    return (datetime.now(LIMA_TZ).date() + timedelta(days=1)).isoformat()


def test_missing_case_number(post_case):
    payload = body()
    del payload["case_number"]

    assert errors_of(post_case(payload)) == {"case_number": ["Campo obligatorio."]}
    assert case_count() == 0


def test_every_missing_field_is_reported_at_once(post_case):
    errors = errors_of(post_case({"customer": {}}))

    assert set(errors) == {
        "case_number",
        "service_number",
        "purchase_date",
        "customer.name",
        "customer.phone",
        "customer.address",
        "customer.ubigeo",
    }
    assert all(messages == ["Campo obligatorio."] for messages in errors.values())


def test_null_and_blank_required_fields_are_missing(post_case):
    errors = errors_of(post_case(body(case_number=None, customer={"name": "   "})))

    assert errors == {
        "case_number": ["Campo obligatorio."],
        "customer.name": ["Campo obligatorio."],
    }


def test_bad_service_number(post_case):
    errors = errors_of(post_case(body(service_number="12345")))

    assert errors == {
        "service_number": [
            "El número de servicio debe tener una letra seguida de 6 dígitos (p. ej. T123456)."
        ]
    }


def test_camera_is_refused_with_the_camera_centres(post_case):
    errors = errors_of(post_case(body(product_type="camera")))

    (message,) = errors["product_type"]
    assert message.startswith("Las cámaras no se atienden en este servicio.")
    assert "G&N DIGITAL" in message and "FOTO DIGITAL" in message
    assert case_count() == 0


def test_out_of_warranty(post_case):
    errors = errors_of(post_case(body(purchase_date="2025-01-10")))

    assert errors == {
        "failure_date": ["Fuera de garantía: la garantía de 12 meses venció el 10/01/2026."]
    }


def test_failure_before_purchase(post_case):
    errors = errors_of(post_case(body(purchase_date="2026-06-01", failure_date="2026-05-01")))

    assert errors == {
        "failure_date": ["La fecha de falla no puede ser anterior a la fecha de compra."]
    }


def test_future_purchase_date(post_case):
    errors = errors_of(post_case(body(purchase_date=tomorrow(), received_at=None)))

    assert "La fecha de compra no puede ser posterior a la fecha de hoy." in errors["purchase_date"]


def test_future_failure_date(post_case):
    errors = errors_of(post_case(body(failure_date=tomorrow())))

    assert errors == {
        "failure_date": ["La fecha de falla no puede ser posterior a la fecha de hoy."]
    }


def test_future_received_at(post_case):
    later = (datetime.now(LIMA_TZ) + timedelta(hours=2)).isoformat()

    errors = errors_of(post_case(body(received_at=later)))

    assert errors["received_at"] == ["La fecha de recepción no puede estar en el futuro."]


def test_unknown_ubigeo_is_reported_on_the_customer(post_case):
    errors = errors_of(post_case(body(customer={"ubigeo": "999999"})))

    assert errors == {"customer.ubigeo": ["No existe un distrito con el código UBIGEO 999999."]}


def test_malformed_ubigeo(post_case):
    errors = errors_of(post_case(body(customer={"ubigeo": "15-01"})))

    assert errors == {"customer.ubigeo": ["El código UBIGEO debe tener 6 dígitos (p. ej. 150101)."]}


def test_store_is_required_when_the_origin_is_a_store(post_case):
    errors = errors_of(post_case(body(origin="store")))

    assert errors == {"store": ["Indique la tienda cuando el caso se registró en una tienda."]}


def test_store_fields_are_checked(post_case):
    errors = errors_of(
        post_case(body(origin="store", store={"name": "Tienda", "ubigeo": "999999"}))
    )

    assert errors == {"store.address": ["Campo obligatorio."]}
    store = {"name": "Tienda", "address": "Av. 1", "ubigeo": "999999"}
    errors = errors_of(post_case(body(origin="store", store=store)))
    assert errors == {"store.ubigeo": ["No existe un distrito con el código UBIGEO 999999."]}


def test_store_ubigeo_shape_is_checked_whatever_the_origin(post_case):
    store = {"name": "Tienda", "address": "Av. 1", "ubigeo": "LIMA-CENTRO"}

    errors = errors_of(post_case(body(store=store)))  # origin call_center

    assert errors == {"store.ubigeo": ["El código UBIGEO debe tener 6 dígitos (p. ej. 150101)."]}


@pytest.mark.parametrize(
    ("overrides", "field", "choices"),
    [
        ({"origin": "web"}, "origin", "call_center, store, st_counter"),
        ({"product_type": "scanner"}, "product_type", "printer, camera"),
        ({"proof_of_purchase": {"type": "ticket"}}, "proof_of_purchase.type", "boleta, factura"),
    ],
)
def test_values_outside_an_enum(post_case, overrides, field, choices):
    errors = errors_of(post_case(body(**overrides)))

    assert errors == {field: [f"Valor no permitido: use uno de {choices}."]}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"case_number": 123}, "case_number", "Debe ser un texto."),
        ({"customer": {"ubigeo": 150122}}, "customer.ubigeo", "Debe ser un texto."),
        ({"customer": "María"}, "customer", "Debe ser un objeto JSON."),
        ({"customer": []}, "customer", "Debe ser un objeto JSON."),
        ({"store": "Tienda"}, "store", "Debe ser un objeto JSON."),
        ({"purchase_date": "01/06/2026"}, "purchase_date", "Fecha no válida (AAAA-MM-DD)."),
        ({"purchase_date": 20260601}, "purchase_date", "Fecha no válida (AAAA-MM-DD)."),
        ({"purchase_date": "1800-01-01"}, "purchase_date", "Fecha fuera de rango (1900–2100)."),
        (
            {"received_at": "ayer"},
            "received_at",
            "Fecha y hora no válidas (ISO 8601, p. ej. 2025-03-01T10:30:00-05:00).",
        ),
        (
            {"received_at": "0001-01-01T00:00:00+14:00"},
            "received_at",
            "Fecha fuera de rango (1900–2100).",
        ),
        (
            {"customer": {"email": "no-es-correo"}},
            "customer.email",
            "Correo electrónico no válido.",
        ),
        ({"customer": {"name": "x" * 161}}, "customer.name", "Máximo 160 caracteres."),
        ({"customer": {"name": "Ana\x00"}}, "customer.name", "Contiene caracteres no permitidos."),
        ({"model": "ESP\ud800"}, "model", "Contiene caracteres no permitidos."),
        ({"colour": "red"}, "colour", "Campo no reconocido."),
    ],
)
def test_wrong_types_and_shapes(post_case, overrides, field, message):
    errors = errors_of(post_case(body(**overrides)))

    assert errors == {field: [message]}
    assert case_count() == 0


def test_shape_and_rule_errors_are_reported_separately(post_case):
    # The schema answers first: a request with a shape error is not assessed yet.
    errors = errors_of(post_case(body(origin="web", service_number="12")))

    assert set(errors) == {"origin"}


def test_duplicate_case_number_is_a_conflict(post_case):
    first = post_case(body(case_number="KCC-DUP-1"))
    again = post_case(body(case_number="KCC-DUP-1"))

    assert first.status_code == 201
    assert errors_of(again, 409) == {"case_number": ["El caso KCC-DUP-1 ya fue registrado."]}
    assert again.json["existing_case"] == "KCC-DUP-1"
    assert case_count() == 1


def test_unit_with_an_open_case_is_a_conflict(post_case):
    first = post_case(body(case_number="KCC-OPEN-1", service_number="T555001"))
    again = post_case(body(case_number="KCC-OPEN-2", service_number="t-555 001"))

    assert first.status_code == 201
    assert errors_of(again, 409) == {
        "service_number": ["El equipo T555001 ya tiene un caso abierto (KCC-OPEN-1)."]
    }
    assert again.json["existing_case"] == "KCC-OPEN-1"
    assert case_count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"json": []},
        {"json": "x"},
        {"json": None},
        {"json": 3},
        {"data": "{not json", "content_type": "application/json"},
        {"data": b"\xff\xfe", "content_type": "application/json"},
        {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
        {"data": "", "content_type": "application/json"},
        {"data": {"case_number": "KCC-1"}},  # form-encoded
        {"data": '{"case_number": "KCC-1"}', "content_type": "text/plain"},
    ],
    ids=[
        "list",
        "string",
        "null",
        "number",
        "invalid-json",
        "not-utf8",
        "deep",
        "empty",
        "form",
        "text-plain",
    ],
)
def test_body_that_is_not_a_json_object(client, api_client, kwargs):
    answer = client.post("/api/v1/cases", headers=AUTH, **kwargs)

    assert errors_of(answer, 400) == {"body": [BODY_MESSAGE]}
    assert case_count() == 0


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="fieldapp API"'),
        (
            {"Authorization": "Bearer wrong-key"},
            'Bearer realm="fieldapp API", error="invalid_token"',
        ),
        ({"Authorization": f"Basic {API_KEY}"}, 'Bearer realm="fieldapp API"'),
        ({"Authorization": "Bearer "}, 'Bearer realm="fieldapp API"'),
    ],
    ids=["none", "wrong", "basic", "empty"],
)
def test_without_a_valid_key(client, api_client, headers, challenge):
    answer = client.post("/api/v1/cases", json=body(), headers=headers)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == challenge
    assert answer.json["error"] == "unauthorized"
    assert "Authorization: Bearer" in answer.json["message"]
    assert case_count() == 0


def test_key_check_comes_before_the_body_check(client, api_client):
    answer = client.post("/api/v1/cases", data="x", content_type="text/plain")

    assert answer.status_code == 401


def test_inactive_client_is_refused(client, api_client):
    api_client.active = False
    db.session.commit()

    assert client.get("/api/v1/cases", headers=AUTH).status_code == 401


def test_key_use_is_recorded(client, api_client):
    assert api_client.last_used_at is None
    db.session.rollback()  # end this session's read, or it keeps seeing the old row

    client.get("/api/v1/cases", headers=AUTH)

    used = db.session.get(ApiClient, api_client.id).last_used_at
    assert used is not None and datetime.now(LIMA_TZ) - used < timedelta(minutes=1)


def test_no_programme_is_a_clear_503(client, app):
    client_row = ApiClient(name="cc")
    client_row.set_key(API_KEY)
    db.session.add(client_row)
    db.session.commit()

    answer = client.post("/api/v1/cases", json=body(), headers=AUTH)

    assert answer.status_code == 503
    assert answer.json["message"] == "No hay un programa de garantía activo configurado."


def test_other_pages_keep_their_html_errors(client):
    answer = client.get("/no-such-page")

    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
