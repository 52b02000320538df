"""GET /api/v1/cases/<number> (with its timeline) and the paged list for the Call Center's sync."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from fieldapp.domain.case_flow import Event
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.services.cases import progress
from tests import factories
from tests.api.conftest import AUTH, body


@pytest.fixture
def open_cases(post_case):
    """Three cases from the API: a DOA in Lima and two warranty cases."""
    numbers = []
    for overrides in ({"purchase_date": "2026-11-06"}, {}, {"customer": {"ubigeo": "130101"}}):
        answer = post_case(body(**overrides))
        assert answer.status_code == 201
        numbers.append(answer.json["case_number"])
    return numbers


def set_updated_at(case_number: str, when: datetime) -> None:
    db.session.execute(update(Case).where(Case.case_number == case_number).values(updated_at=when))
    db.session.commit()


def test_get_one_with_its_timeline(client, open_cases):
    number = open_cases[0]
    case = db.session.query(Case).filter_by(case_number=number).one()
    dispatcher = factories.user(Role.DISPATCHER, full_name="Pedro Despacho")
    progress.apply_event(case, Event.SCHEDULE, dispatcher, note="Visita el martes")
    db.session.commit()

    answer = client.get(f"/api/v1/cases/{number}", headers=AUTH)

    assert answer.status_code == 200
    shown = answer.get_json()
    assert (shown["case_number"], shown["flow"], shown["status"]) == (
        number,
        "doa_lima",
        "scheduled",
    )
    assert shown["deadlines"] == [{"name": "swap", "due_at": "2026-11-17T23:59:59-05:00"}]
    first, second = shown["timeline"]
    assert (first["action"], first["from_status"], first["to_status"]) == (
        "created",
        None,
        "received",
    )
    assert first["actor"] == "Call Center"
    assert first["at"].endswith("-05:00")
    assert (second["action"], second["from_status"], second["to_status"]) == (
        "schedule",
        "received",
        "scheduled",
    )
    assert (second["actor"], second["note"]) == ("Despacho", "Visita el martes")


def test_case_answers_carry_no_personal_data(client, open_cases):
    text = client.get(f"/api/v1/cases/{open_cases[0]}", headers=AUTH).get_data(as_text=True)
    listed = client.get("/api/v1/cases", headers=AUTH).get_data(as_text=True)

    for private in ("María", "987654321", "maria@correo", "45678912", "Arequipa 1234", "Pedro"):
        assert private not in text and private not in listed


def test_get_unknown_case_is_404_json(client, api_client):
    answer = client.get("/api/v1/cases/KCC-NOPE", headers=AUTH)

    assert answer.status_code == 404
    assert answer.json == {"error": "not_found", "message": "No existe el caso KCC-NOPE."}


def test_get_needs_the_key(client, open_cases):
    answer = client.get(f"/api/v1/cases/{open_cases[0]}")

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_list_is_ordered_by_last_change(client, open_cases):
    first, second, third = open_cases
    set_updated_at(first, datetime(2026, 11, 20, 12, tzinfo=UTC))
    set_updated_at(second, datetime(2026, 11, 18, 12, tzinfo=UTC))
    set_updated_at(third, datetime(2026, 11, 19, 12, tzinfo=UTC))

    answer = client.get("/api/v1/cases", headers=AUTH)

    listed = answer.get_json()
    assert [item["case_number"] for item in listed["items"]] == [second, third, first]
    assert (listed["page"], listed["per_page"], listed["total"], listed["next_page"]) == (
        1,
        20,
        3,
        None,
    )
    assert listed["items"][0]["updated_at"] == "2026-11-18T07:00:00-05:00"


def test_list_filters_by_status(client, open_cases):
    answer = client.get("/api/v1/cases?status=received", headers=AUTH)

    assert [item["case_number"] for item in answer.json["items"]] == open_cases
    assert all(item["status"] == "received" for item in answer.json["items"])
    assert client.get("/api/v1/cases?status=closed", headers=AUTH).json["total"] == 0


def test_list_filters_by_updated_since(client, open_cases):
    first, second, third = open_cases
    set_updated_at(first, datetime(2026, 11, 18, 12, tzinfo=UTC))
    set_updated_at(second, datetime(2026, 11, 19, 12, tzinfo=UTC))
    set_updated_at(third, datetime(2026, 11, 20, 12, tzinfo=UTC))

    # 07:00 Lima on the 19th is 12:00 UTC: inclusive. Naive times are Lima time too.
    aware = client.get(
        "/api/v1/cases", query_string={"updated_since": "2026-11-19T07:00:00-05:00"}, headers=AUTH
    )
    naive = client.get(
        "/api/v1/cases", query_string={"updated_since": "2026-11-19T07:00:01"}, headers=AUTH
    )

    assert [item["case_number"] for item in aware.json["items"]] == [second, third]
    assert [item["case_number"] for item in naive.json["items"]] == [third]


def test_list_pages(client, open_cases):
    page1 = client.get("/api/v1/cases?per_page=2", headers=AUTH).get_json()
    page2 = client.get("/api/v1/cases?per_page=2&page=2", headers=AUTH).get_json()
    page3 = client.get("/api/v1/cases?per_page=2&page=3", headers=AUTH).get_json()

    assert [i["case_number"] for i in page1["items"] + page2["items"]] == open_cases
    assert (page1["next_page"], page2["next_page"], page1["total"]) == (2, None, 3)
    assert page3["items"] == [] and page3["next_page"] is None


def test_list_items_have_deadlines(client, open_cases):
    items = client.get("/api/v1/cases", headers=AUTH).json["items"]

    assert items[0]["deadlines"] == [{"name": "swap", "due_at": "2026-11-17T23:59:59-05:00"}]
    assert [d["name"] for d in items[2]["deadlines"]] == ["pickup"]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            "status=open",
            {
                "status": [
                    "Valor no permitido: use uno de received, scheduled, swapped, "
                    "picked_up, in_workshop, repaired, out_for_return, returned, "
                    "closed, void, cancelled."
                ]
            },
        ),
        (
            "updated_since=yesterday",
            {
                "updated_since": [
                    "Fecha y hora no válidas (ISO 8601, p. ej. 2025-03-01T10:30:00-05:00)."
                ]
            },
        ),
        ("page=0", {"page": ["Debe estar entre 1 y 1000000."]}),
        ("page=two", {"page": ["Debe ser un número entero."]}),
        ("per_page=101", {"per_page": ["Debe estar entre 1 y 100."]}),
        (
            "per_page=-1&page=1.5",
            {"per_page": ["Debe estar entre 1 y 100."], "page": ["Debe ser un número entero."]},
        ),
    ],
)
def test_list_refuses_bad_query_values(client, api_client, query, errors):
    answer = client.get(f"/api/v1/cases?{query}", headers=AUTH)

    assert answer.status_code == 422
    assert answer.json == {"errors": errors}


def test_list_blank_query_values_mean_no_filter(client, open_cases):
    answer = client.get("/api/v1/cases?status=&updated_since=&page=&per_page=", headers=AUTH)

    assert (answer.status_code, answer.json["total"], answer.json["per_page"]) == (200, 3, 20)


# --- Each key reads its own cases, or a programme it was granted (issue 13, item 2) ------------


def test_a_key_without_a_grant_reads_only_the_cases_it_opened(client, api_client):
    kodak_case = factories.case()  # opened by the ST (CSV, counter), Kodak's programme
    other_key = "another-integrator-key-0123456789abcd"
    factories.api_client(other_key, name="Tienda Integrada", grant=False)
    other = {"Authorization": f"Bearer {other_key}"}
    created = client.post("/api/v1/cases", json=body(), headers=other)
    assert created.status_code == 201, created.get_json()
    mine = created.get_json()["case_number"]

    listed = client.get("/api/v1/cases", headers=other).get_json()
    assert [item["case_number"] for item in listed["items"]] == [mine] and listed["total"] == 1
    assert client.get(f"/api/v1/cases/{mine}", headers=other).status_code == 200
    hidden = client.get(f"/api/v1/cases/{kodak_case.case_number}", headers=other)
    assert hidden.status_code == 404
    assert hidden.get_json()["message"] == f"No existe el caso {kodak_case.case_number}."

    # The Call Center's key is granted Kodak's programme: it reads both.
    numbers = {
        item["case_number"]
        for item in client.get("/api/v1/cases", headers=AUTH).get_json()["items"]
    }
    assert numbers == {kodak_case.case_number, mine}
