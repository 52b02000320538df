"""POST /api/v1/cases: a valid case is stored and answered 201 with its flow and deadlines."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Case, CaseDeadline
from tests.api.conftest import body


def deadlines(answer) -> dict[str, str]:
    return {d["name"]: d["due_at"] for d in answer.get_json()["deadlines"]}


def test_doa_lima_swap_due_end_of_next_day(post_case):
    answer = post_case(body(purchase_date="2026-11-06", service_number=" t-700 123 "))

    assert answer.status_code == 201
    case = answer.get_json()
    assert case["case_number"].startswith("KCC-API-")
    assert case["service_number"] == "T700123"
    assert case["model_family"] == "ESP 3"
    assert case["service_number_flag"] is None
    assert case["kind"] == "doa"
    assert case["zone"] == "lima"
    assert case["distance_band"] is None
    assert case["flow"] == "doa_lima"
    assert case["status"] == "received"
    assert case["origin"] == "call_center"
    assert case["received_at"] == "2026-11-16T10:00:00-05:00"
    assert case["failure_date"] == "2026-11-16"  # defaults to the received date
    assert case["deadlines"] == [{"name": "swap", "due_at": "2026-11-17T23:59:59-05:00"}]
    assert answer.headers["Location"] == f"/api/v1/cases/{case['case_number']}"


def test_case_is_stored_with_deadlines_and_audit_event(app, post_case, api_client):
    answer = post_case(body(purchase_date="2026-11-06"))

    stored = db.session.scalar(select(Case).where(Case.case_number == answer.json["case_number"]))
    assert stored is not None
    assert stored.created_by_api_client_id == api_client.id
    assert stored.customer.name == "María Flores"
    assert stored.proof_type == "boleta" and stored.proof_number == "B001-12345"
    assert stored.unit.model == "ESP 3.2"
    names = db.session.scalars(select(CaseDeadline.name).where(CaseDeadline.case_id == stored.id))
    assert list(names) == ["swap"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == stored.id))
    assert (event.action, event.actor_api_client_id) == ("created", api_client.id)


def test_warranty_provinces_has_band_and_pickup_deadline(post_case):
    answer = post_case(body(customer={"ubigeo": "130101"}))  # Trujillo, ~493 km

    assert answer.status_code == 201
    case = answer.get_json()
    assert (case["kind"], case["zone"], case["flow"]) == (
        "warranty",
        "provinces",
        "warranty_provinces",
    )
    assert case["distance_band"] == 2
    assert 480 < case["distance_km"] < 510
    # Received Monday 16: pickup by the end of the day 2 days later; no repair clock yet.
    assert deadlines(answer) == {"pickup": "2026-11-18T23:59:59-05:00"}


def test_warranty_lima_has_no_deadline_until_the_unit_arrives(post_case):
    answer = post_case(body())

    assert answer.status_code == 201
    assert (answer.json["flow"], answer.json["deadlines"]) == ("warranty_lima", [])


def test_doa_provinces_swap_deadline_by_band(post_case):
    answer = post_case(body(purchase_date="2026-11-06", customer={"ubigeo": "040101"}))  # Arequipa

    assert answer.json["flow"] == "doa_provinces"
    assert answer.json["distance_band"] == 3
    assert deadlines(answer) == {"swap": "2026-11-19T23:59:59-05:00"}


def test_store_origin_uses_the_store_district(post_case):
    store = {"name": "Tienda Trujillo", "address": "Jr. Pizarro 500", "ubigeo": "130101"}
    answer = post_case(body(origin="store", store=store, purchase_date="2026-11-06"))

    assert answer.status_code == 201
    case = answer.get_json()
    # The customer lives in Miraflores (Lima), but the ST deals with the store in Trujillo.
    assert (case["flow"], case["zone"], case["distance_band"]) == ("doa_store", "provinces", 2)
    assert deadlines(answer) == {"swap": "2026-11-18T23:59:59-05:00"}


def test_store_origin_warranty_in_provinces_is_picked_up_at_the_store(post_case):
    store = {"name": "Tienda Huacho", "address": "Av. Grau 10", "ubigeo": "150801"}
    answer = post_case(body(origin="store", store=store))

    assert (answer.json["flow"], answer.json["distance_band"]) == ("warranty_store", 1)
    assert deadlines(answer) == {"pickup": "2026-11-17T23:59:59-05:00"}


def test_st_counter_walk_in_is_in_the_workshop_with_a_repair_clock(post_case):
    answer = post_case(body(origin="st_counter", customer={"ubigeo": "040101"}))

    assert answer.status_code == 201
    case = answer.get_json()
    assert (case["flow"], case["status"]) == ("walk_in", "in_workshop")
    # Received Monday 16 at the counter: 3 business days after → Thursday 19.
    assert deadlines(answer) == {"repair": "2026-11-19T23:59:59-05:00"}


def test_st_counter_doa_is_swapped_at_the_counter(post_case):
    answer = post_case(body(origin="st_counter", purchase_date="2026-11-06"))

    assert (answer.json["flow"], answer.json["status"]) == ("doa_counter", "received")
    assert deadlines(answer) == {"swap": "2026-11-17T23:59:59-05:00"}


def test_unusual_prefix_is_accepted_and_flagged(post_case):
    answer = post_case(body(service_number="x123456"))

    assert answer.status_code == 201
    assert answer.json["service_number"] == "X123456"
    assert answer.json["model_family"] is None
    assert answer.json["service_number_flag"] == "unusual_prefix"


def test_c_prefix_is_esp_5(post_case):
    answer = post_case(body(service_number="C-654321"))

    assert (answer.json["service_number"], answer.json["model_family"]) == ("C654321", "ESP 5")


def test_naive_received_at_is_lima_time(post_case):
    # 02:00 in Lima is still the 16th; read as UTC it would be 21:00 on the 15th.
    naive = post_case(body(purchase_date="2026-11-06", received_at="2026-11-16T02:00:00"))
    utc = post_case(body(purchase_date="2026-11-06", received_at="2026-11-16T02:00:00Z"))

    assert naive.json["received_at"] == "2026-11-16T02:00:00-05:00"
    assert deadlines(naive) == {"swap": "2026-11-17T23:59:59-05:00"}
    assert utc.json["received_at"] == "2026-11-15T21:00:00-05:00"
    assert deadlines(utc) == {"swap": "2026-11-16T23:59:59-05:00"}


def test_failure_date_given_decides_the_kind(post_case):
    # Bought on 1 Nov, failed on the 5th (DOA) though the call came weeks later.
    answer = post_case(body(purchase_date="2026-11-01", failure_date="2026-11-05"))

    assert (answer.json["kind"], answer.json["failure_date"]) == ("doa", "2026-11-05")


def test_optional_fields_may_be_left_out_blank_or_null(post_case):
    minimal = body(model=None, customer={"email": "", "document_id": None})
    for key in ("product_type", "received_at", "proof_of_purchase"):
        minimal.pop(key)

    answer = post_case(minimal)

    assert answer.status_code == 201
    assert (answer.json["origin"], answer.json["model"]) == ("call_center", None)
    stored = db.session.scalar(select(Case).where(Case.case_number == answer.json["case_number"]))
    assert stored.customer.email is None and stored.proof_type is None


def test_text_is_trimmed(post_case):
    answer = post_case(body(case_number="  KCC-TRIM-1 ", customer={"name": "  Ana Ruiz "}))

    assert answer.json["case_number"] == "KCC-TRIM-1"
    stored = db.session.scalar(select(Case).where(Case.case_number == "KCC-TRIM-1"))
    assert stored.customer.name == "Ana Ruiz"


def test_api_needs_no_session_and_no_csrf_token(client, api_client):
    # CSRF is on in tests; a bearer key and no cookie at all is enough for the API.
    answer = client.post(
        "/api/v1/cases",
        json=body(),
        headers={"Authorization": "Bearer test-callcenter-key-0123456789abcdef"},
    )

    assert answer.status_code == 201
    assert "Set-Cookie" not in answer.headers
