"""A supervisor approves a courier's closed job on a phone (390 × 844) in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Case, Job, User
from fieldapp.models.types import utcnow
from fieldapp.services.supervisor import approval
from tests import factories
from tests.browser.conftest import browser_context, csp_errors, log_in
from tests.factories import close_job, doa_case, plan_job

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def supervisor_phone(browser, server):
    context = browser_context(browser, server, VIEWPORT)
    yield context
    context.close()


def _closed_job() -> tuple[int, int, str]:
    """A DOA visit closed by the courier with full evidence, as plain values (no open
    transaction is kept while the browser works)."""
    courier = db.session.scalar(select(User).where(User.username == "carlos"))
    case = doa_case()
    job = close_job(case, courier)
    values = (job.id, case.id, case.case_number)
    db.session.remove()
    return values


def test_supervisor_approves_a_job_on_a_phone(supervisor_phone, server):
    job_id, case_id, case_number = _closed_job()
    page = supervisor_phone.new_page()
    errors = csp_errors(page)
    log_in(page, "sofia")
    page.goto("/supervisor/")
    card = page.locator(f"#job-{job_id}")
    expect(card).to_contain_text(case_number)
    expect(card).to_contain_text("Sin observaciones")
    expect(card).to_contain_text("coincide")
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"]
    approve = card.get_by_role("button", name="Aprobar")
    expect(approve).to_be_enabled()
    approve.tap()
    expect(page.locator(".flash-success")).to_contain_text(
        f"Trabajo del caso {case_number} aprobado"
    )
    expect(page.locator(f"#job-{job_id}")).to_have_count(0)
    assert not errors, errors
    job = db.session.get(Job, job_id)
    case = db.session.get(Case, case_id)
    assert job.status is JobStatus.APPROVED and case.status is Status.CLOSED
    db.session.remove()


def test_rejecting_needs_a_reason_on_the_phone(supervisor_phone, server):
    job_id, _, case_number = _closed_job()
    page = supervisor_phone.new_page()
    log_in(page, "sofia")
    page.goto("/supervisor/")
    card = page.locator(f"#job-{job_id}")
    card.get_by_text("Rechazar…").tap()
    card.get_by_role("button", name="Rechazar y devolver").tap()
    card = page.locator(f"#job-{job_id}")
    expect(card.locator(".error")).to_contain_text("Indique el motivo del rechazo")
    card.get_by_label("Motivo del rechazo").fill("La firma no se ve")
    card.get_by_role("button", name="Rechazar y devolver").tap()
    expect(page.locator(".flash-success")).to_contain_text(f"{case_number} devuelto")
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.REJECTED and job.rejection_reason == "La firma no se ve"
    db.session.remove()


CHART_TEXTS = """() => Array.from(document.querySelectorAll("svg.chart")).flatMap((svg) => {
  const box = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll("text")).map((t) => {
    const b = t.getBBox();
    return {text: t.textContent, left: b.x, right: b.x + b.width, width: box.width};
  });
})"""


@pytest.mark.parametrize("viewport", [VIEWPORT, {"width": 1366, "height": 768}])
def test_dashboard_charts_fit_and_overdue_items_lead_to_the_visit(browser, server, viewport):
    courier = db.session.scalar(select(User).where(User.username == "rosa"))
    approval.approve(close_job(doa_case(), courier), courier)
    late = doa_case(received_at=utcnow() - timedelta(days=3))
    job, route = plan_job(late, courier, factories.days_ago(0) + timedelta(days=60))
    route.published_at = utcnow()
    db.session.commit()
    case_number, job_id = late.case_number, job.id
    db.session.remove()

    context = browser.new_context(
        viewport=viewport, locale="es-PE", timezone_id="America/Lima", base_url=server.url
    )
    page = context.new_page()
    log_in(page, "sofia")
    page.goto("/supervisor/dashboard")
    expect(page.locator("svg.chart")).to_have_count(4)
    texts = page.evaluate(CHART_TEXTS)
    assert any(t["text"].endswith(("fallida", "fallidas")) for t in texts)
    clipped = [t for t in texts if t["left"] < 0 or t["right"] > t["width"] + 0.5]
    assert not clipped, clipped
    assert not [t for t in texts if "…" in t["text"]]
    weeks = page.locator("svg.chart").nth(1)
    expect(weeks).not_to_contain_text("0 % (0/0)")

    item = page.locator("[data-test=risk-item]", has_text=case_number)
    expect(item.locator("[data-test=holder]")).to_contain_text("Courier: Rosa Huamán")
    item.get_by_role("link", name="ver la visita").click()
    expect(page).to_have_url(f"{server.url}/cases/{case_number}#job-{job_id}")
    expect(page.locator(f"#job-{job_id}")).to_be_in_viewport()
    context.close()


def test_review_queue_filters_on_the_phone(supervisor_phone, server):
    courier = db.session.scalar(select(User).where(User.username == "rosa"))
    wrong = close_job(doa_case(), courier, checked="T999999")
    south = close_job(doa_case(customer={"ubigeo": "040101"}), courier)
    wrong_id, south_id = wrong.id, south.id
    db.session.remove()
    page = supervisor_phone.new_page()
    log_in(page, "sofia")
    page.goto("/supervisor/")
    filters = page.locator("[data-test=queue-filters]")
    filters.get_by_label("Observación").select_option(label="N.º de servicio no coincide")
    filters.get_by_role("button", name="Filtrar").tap()
    expect(page.locator(f"#job-{wrong_id}")).to_be_visible()
    expect(page.locator(f"#job-{south_id}")).to_have_count(0)
    expect(page.locator(".review-queue > li.card.review")).to_have_count(
        page.locator(".review-queue > li.card.review .flags", has_text="no coincide").count()
    )
    filters = page.locator("[data-test=queue-filters]")
    filters.get_by_label("Observación").select_option(label="Todas")
    filters.get_by_label("Zona").select_option(label="Provincias")
    filters.get_by_label("Courier").select_option(label="Rosa Huamán")
    filters.get_by_role("button", name="Filtrar").tap()
    expect(page.locator(f"#job-{south_id}")).to_be_visible()
    expect(page.locator(f"#job-{wrong_id}")).to_have_count(0)
    box = page.locator("[data-test=queue-filters]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"]
