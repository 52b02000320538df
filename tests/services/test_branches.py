"""Branches: the branch that serves a case (the clerk's, else the nearest), deadlines measured
from it, and the board, case search and documents per branch."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import DocType, Document
from fieldapp.services.dispatch import board
from fieldapp.services.documents import issuing
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.conftest import csrf_token
from tests.factories import close_job

TRUJILLO = (-8.1116, -79.0288)
SAN_LUIS = (-12.0756, -76.9936)
CHICLAYO = "140101"


@pytest.fixture
def counters(app):
    return {
        "san-isidro": factories.branch("san-isidro", "Mostrador San Isidro", ST_COUNTER),
        "san-luis": factories.branch("san-luis", "Mostrador San Luis", SAN_LUIS, "150134"),
        "trujillo": factories.branch("trujillo", "Mostrador Trujillo", TRUJILLO, "130101"),
    }


def test_a_call_center_case_is_served_by_the_nearest_branch_and_timed_from_it(counters):
    client = factories.api_client("k" * 40)
    case = factories.case(client, customer={"ubigeo": CHICLAYO})
    assert case.branch.code == "trujillo"
    assert case.distance_km < 200 and case.distance_band == 1  # from Trujillo, not Lima
    pickup = next(d for d in case.deadlines if d.name == "pickup")
    assert (pickup.due_at - case.received_at).days <= 1


def test_a_clerks_case_is_served_by_the_clerks_branch(counters):
    clerk = factories.user(Role.TECHNICIAN)
    clerk.branch_id = counters["san-isidro"].id
    db.session.commit()
    case = factories.case(clerk, customer={"ubigeo": CHICLAYO})
    assert case.branch.code == "san-isidro"
    assert case.distance_km > 500 and case.distance_band == 3


def test_the_board_shows_one_branchs_couriers_and_cases(counters, day_today):
    isidro, luis = counters["san-isidro"], counters["san-luis"]
    carlos = factories.user(Role.COURIER, full_name="Carlos Isidro")
    rosa = factories.user(Role.COURIER, full_name="Rosa Luis")
    carlos.branch_id, rosa.branch_id = isidro.id, luis.id
    db.session.commit()
    factories.courier_profile(carlos)
    factories.courier_profile(rosa, base=SAN_LUIS)
    near_isidro = factories.case(customer={"ubigeo": "150131"}, purchase_date=factories.days_ago(3))
    near_luis = factories.case(customer={"ubigeo": "150134"}, purchase_date=factories.days_ago(3))
    assert (near_isidro.branch.code, near_luis.branch.code) == ("san-isidro", "san-luis")
    mine = board.of_day(day_today, luis.id)
    assert [c.user.full_name for c in mine.couriers] == ["Rosa Luis"]
    assert [j.case_id for j in mine.to_plan] == [near_luis.id]
    every = board.of_day(day_today)
    assert {j.case_id for j in every.to_plan} == {near_isidro.id, near_luis.id}


def test_pages_filter_by_branch(client, login, counters):
    dispatcher = factories.user(Role.DISPATCHER)
    dispatcher.branch_id = counters["san-luis"].id
    db.session.commit()
    near_isidro = factories.case(customer={"ubigeo": "150131"}, purchase_date=factories.days_ago(3))
    near_luis = factories.case(customer={"ubigeo": "150134"}, purchase_date=factories.days_ago(3))
    login(dispatcher.username)
    own = client.get("/dispatch/").get_data(as_text=True)
    assert near_luis.case_number in own and near_isidro.case_number not in own
    # bound to San Luis: asking for every branch (or another one) still shows San Luis's board
    for asked in ("all", "san-isidro"):
        page = client.get(f"/dispatch/?branch={asked}").get_data(as_text=True)
        assert near_luis.case_number in page and near_isidro.case_number not in page
        assert "Todas las sedes" not in page
    found = client.get("/cases/?branch=san-isidro").get_data(as_text=True)
    assert near_isidro.case_number in found and near_luis.case_number not in found
    assert "Mostrador San Isidro" in found
    # The cases list opens on the dispatcher's own branch; "Todas" (branch=) searches them all.
    default = client.get("/cases/").get_data(as_text=True)
    assert near_luis.case_number in default and near_isidro.case_number not in default
    every_case = client.get("/cases/?branch=").get_data(as_text=True)
    assert near_luis.case_number in every_case and near_isidro.case_number in every_case
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dispatch/")})
    login(factories.user(Role.ADMIN).username)  # an admin chooses any branch, or every one
    every = client.get("/dispatch/?branch=all").get_data(as_text=True)
    assert near_luis.case_number in every and near_isidro.case_number in every
    assert "Todas las sedes" in every


def test_documents_carry_the_serving_branch(client, counters):
    courier = factories.user(Role.COURIER)
    case = factories.case(
        customer={"ubigeo": "150134"},
        purchase_date=factories.days_ago(3),
        proof_type="boleta",
        proof_number="B001-1",
    )
    close_job(case, courier)
    assert issue_pending().failed == 0
    note = db.session.scalar(select(Document).where(Document.doc_type == DocType.DOA_DELIVERY))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(issuing.pdf_bytes(note))).pages)
    assert "RUC 20419653471 · Mostrador San Luis, Av. Principal 100" in text.replace("\n", " ")


@pytest.fixture
def day_today():
    from datetime import datetime

    from fieldapp.domain.deadlines import LIMA_TZ

    return datetime.now(LIMA_TZ).date()
