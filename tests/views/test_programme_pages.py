"""Two programmes side by side on the pages: the counter form asks which one and applies its
rules, the case search and the monthly statement filter by programme, and CSV rows name theirs."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.domain.warranty import CaseKind
from fieldapp.extensions import db
from fieldapp.models import Case, StockUnit
from tests import factories
from tests.conftest import csrf_token
from tests.views.test_intake_form import _form
from tests.views.test_stock_pages import post


@pytest.fixture
def two(app):
    return factories.programme(), factories.second_programme()


@pytest.fixture
def clerk(logged_in, two):
    return logged_in(Role.TECHNICIAN)


def test_the_counter_form_asks_for_the_programme_when_there_are_two(client, clerk):
    html = client.get("/cases/new").get_data(as_text=True)
    assert "Programa de garantía" in html
    assert "Kodak Inkjet AiO" in html and "Epson EcoTank — Garantía Perú" in html
    answer = client.post("/cases/new", data=_form(client, programme=""))
    assert "Indique el programa de garantía del caso." in answer.get_data(as_text=True)
    assert db.session.scalar(select(Case.id)) is None


def test_the_chosen_programmes_rules_apply_on_the_counter_form(client, clerk):
    purchase = factories.days_ago(10).isoformat()
    refused = client.post(
        "/cases/new",
        data=_form(client, programme="epson-ecotank", service_number="T123456"),
    )
    assert "no tiene el formato de este programa (p. ej. ET12345678)" in refused.get_data(
        as_text=True
    )
    made = client.post(
        "/cases/new",
        data=_form(
            client,
            programme="epson-ecotank",
            case_number="ECC-MOST-1",
            service_number="et 1234 5678",
            purchase_date=purchase,
        ),
    )
    assert made.status_code == 303
    kodak = client.post(
        "/cases/new",
        data=_form(client, programme="kodak-inkjet", purchase_date=purchase),
    )
    assert kodak.status_code == 303
    epson_case = db.session.scalar(select(Case).where(Case.case_number == "ECC-MOST-1"))
    kodak_case = db.session.scalar(select(Case).where(Case.case_number == "KCC-MOST-1"))
    assert epson_case.programme.code == "epson-ecotank" and epson_case.kind is CaseKind.WARRANTY
    assert kodak_case.programme.code == "kodak-inkjet" and kodak_case.kind is CaseKind.DOA
    assert epson_case.unit.model_family == "EcoTank"


def test_case_search_filters_by_programme(client, clerk, two):
    kodak, epson = two
    factories.case(case_number="KCC-SIDE-1", service_number="T555001")
    factories.case(case_number="ECC-SIDE-1", service_number="ET55500100", of_programme=epson)
    both = client.get("/cases/").get_data(as_text=True)
    assert "KCC-SIDE-1" in both and "ECC-SIDE-1" in both
    only = client.get("/cases/?programme=epson-ecotank").get_data(as_text=True)
    assert "ECC-SIDE-1" in only and "KCC-SIDE-1" not in only
    assert '<option value="epson-ecotank" selected>' in only


def test_the_statement_is_one_programmes(client, two, login):
    login(factories.user(Role.SUPERVISOR).username)
    answer = client.get("/supervisor/statement?month=2026-11")
    assert answer.status_code == 422
    assert "Indique el programa de garantía del caso." in answer.get_data(as_text=True)
    page = client.get("/supervisor/statement?month=2026-11&programme=epson-ecotank")
    assert page.status_code == 200
    assert "Liquidación mensual: Epson EcoTank — Garantía Perú" in page.get_data(as_text=True)
    csv = client.get("/supervisor/statement?month=2026-11&programme=epson-ecotank&format=csv")
    assert "liquidacion-epson-ecotank-2026-11.csv" in csv.headers["Content-Disposition"]


def test_csv_rows_name_their_programme(client, clerk):
    header = "programme;case_number;service_number;purchase_date;customer_name;customer_ubigeo\n"
    rows = (
        f"epson-ecotank;ECC-CSV-1;ET10000001;{factories.days_ago(40)};Ana Ruiz;150122\n"
        f"kodak-inkjet;KCC-CSV-1;T100001;{factories.days_ago(40)};Luis Paz;150122\n"
        f";KCC-CSV-2;T100002;{factories.days_ago(40)};Sin Programa;150122\n"
        f"epson-ecotank;ECC-CSV-2;T100003;{factories.days_ago(40)};Mal Número;150122\n"
    )
    answer = client.post(
        "/cases/import",
        data={
            "csrf_token": csrf_token(client, "/cases/import"),
            "file": (io.BytesIO((header + rows).encode()), "casos.csv"),
        },
        content_type="multipart/form-data",
    )
    page = answer.get_data(as_text=True)
    stored = {c.case_number: c.programme.code for c in db.session.scalars(select(Case))}
    assert stored == {"ECC-CSV-1": "epson-ecotank", "KCC-CSV-1": "kodak-inkjet"}
    assert "Indique el programa de garantía del caso." in page
    assert "no tiene el formato de este programa" in page


def test_the_dashboard_filters_by_programme(client, two, login):
    _kodak, epson = two
    # DOA swaps received two days ago: overdue, so both show among the cases at risk.
    late = {"received_at": datetime.now(LIMA_TZ) - timedelta(days=2)}
    late["purchase_date"] = factories.days_ago(5)
    factories.case(case_number="KCC-DASH-1", service_number="T555101", **late)
    factories.case(
        case_number="ECC-DASH-1", service_number="ET55510100", of_programme=epson, **late
    )
    login(factories.user(Role.SUPERVISOR).username)
    every = client.get("/supervisor/dashboard").get_data(as_text=True)
    only = client.get("/supervisor/dashboard?programme=epson-ecotank").get_data(as_text=True)
    assert '<option value="epson-ecotank" selected>' in only
    assert "KCC-DASH-1" in every and "ECC-DASH-1" in every
    assert "ECC-DASH-1" in only and "KCC-DASH-1" not in only


def test_stock_is_received_for_the_chosen_programme_with_its_format(client, two, login):
    login(factories.user(Role.TECHNICIAN).username)
    fields = {"receive-model": "L3250", "receive-category": "new"}
    unnamed = post(client, "/stock/receive", **fields, **{"receive-service_number": "ET1"})
    assert unnamed.status_code == 422
    assert "Indique el programa de garantía del caso." in unnamed.get_data(as_text=True)
    wrong = post(
        client,
        "/stock/receive",
        **fields,
        **{"receive-programme": "epson-ecotank", "receive-service_number": "T123456"},
    )
    assert "no tiene el formato de este programa" in wrong.get_data(as_text=True)
    made = post(
        client,
        "/stock/receive",
        **fields,
        **{"receive-programme": "epson-ecotank", "receive-service_number": "ET12340000"},
    )
    assert made.status_code == 303
    unit = db.session.scalar(select(StockUnit))
    assert (unit.service_number, unit.model_family) == ("ET12340000", "EcoTank")
    assert unit.programme_id == two[1].id
