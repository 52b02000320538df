"""Dashboard and statement pages: figures from the database, charts as SVG, downloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import StockUnit
from fieldapp.models.types import utcnow
from fieldapp.services.supervisor import approval
from fieldapp.services.workshop import repairs, spare_parts
from tests import factories
from tests.factories import close_job, doa_case, plan_job


def this_month() -> str:
    """The current Lima month, read when a test runs (not at import: a run may cross midnight)."""
    return utcnow().astimezone(LIMA_TZ).strftime("%Y-%m")


@pytest.fixture
def supervisor(logged_in):
    return logged_in(Role.SUPERVISOR)


def test_dashboard_figures_and_charts(client, supervisor):
    courier = factories.user(Role.COURIER, full_name="Rosa Huamán")
    tech = factories.user(Role.TECHNICIAN)
    done = doa_case(model="ESP 3250")
    approval.approve(close_job(done, courier), supervisor)
    factories.case(model="ESP 3250")  # warranty, Lima, nothing due yet
    overdue = doa_case(model="ESP 5250", received_at=utcnow() - timedelta(days=3))
    donor = db.session.scalar(  # collected when its swap was approved
        select(StockUnit).where(StockUnit.service_number == done.unit.service_number)
    )
    parts = spare_parts.make_parts_donor(donor, ["Cabezal", "Bandeja"], tech)
    repair = factories.case()
    repairs.receive(repair, tech, refilled=False)
    repairs.use_part(repair, parts[0], tech)
    db.session.commit()
    html = client.get("/supervisor/dashboard").get_data(as_text=True)
    assert "<h1>Tablero de plazos</h1>" in html
    assert 'data-test="overdue-count">1<' in html and overdue.case_number in html
    assert html.count("<svg") == 4 and "style=" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert "Plazos cumplidos por flujo (%)" in html and "100 % (1/1)" in html
    assert "Rosa Huamán" in html and "1 hecha, 0 fallidas" in html
    assert "<td>ESP 3250</td><td>1</td><td>2</td><td>50.0</td>" in html
    assert "1 de 2 repuestos de equipos DOA usados" in html


def test_overdue_items_say_who_holds_the_job_and_link_to_it(client, supervisor):
    courier = factories.user(Role.COURIER, full_name="Rosa Huamán")
    late = doa_case(received_at=utcnow() - timedelta(days=3))
    job, route = plan_job(late, courier, factories.days_ago(0))
    route.published_at = utcnow()
    unplanned = doa_case(received_at=utcnow() - timedelta(days=3))
    db.session.commit()
    html = client.get("/supervisor/dashboard").get_data(as_text=True)
    items = {
        number: item
        for item in html.split('data-test="risk-item"')[1:]
        for number in (late.case_number, unplanned.case_number)
        if number in item.split("</li>")[0]
    }
    assert "Courier: Rosa Huamán" in items[late.case_number]
    assert f'href="/cases/{late.case_number}#job-{job.id}">ver la visita' in items[late.case_number]
    assert "Despacho: visita por planificar" in items[unplanned.case_number]
    page = client.get(f"/cases/{late.case_number}").get_data(as_text=True)
    assert f'id="job-{job.id}"' in page


def test_weeks_without_decided_deadlines_say_sin_datos(client, supervisor):
    html = client.get("/supervisor/dashboard").get_data(as_text=True)
    weeks = html.split("Plazos cumplidos por semana (%)</title>", 1)[1].split("</svg>", 1)[0]
    assert weeks.count("sin datos") == 8 and "0 %" not in weeks


def test_statement_page_and_downloads(client, supervisor):
    courier = factories.user(Role.COURIER)
    case = doa_case(service_number="T400001")
    approval.approve(close_job(case, courier), supervisor)
    db.session.commit()
    html = client.get("/supervisor/statement").get_data(as_text=True)
    assert f'value="{this_month()}"' in html and "1 casos cerrados" in html and "T400001" in html
    response = client.get(f"/supervisor/statement?month={this_month()}&format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"liquidacion-kodak-inkjet-{this_month()}.csv" in response.headers["Content-Disposition"]
    assert "T400001" in response.data.decode("utf-8-sig")
    response = client.get(f"/supervisor/statement?month={this_month()}&format=pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    response = client.get("/supervisor/statement?month=2026-13")
    assert response.status_code == 422 and "Use el formato AAAA-MM" in response.get_data(
        as_text=True
    )
