"""A supervisor approves a courier's closed job on a phone (390 × 844) in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Case, Job, User
from tests.browser.conftest import csp_errors, log_in
from tests.services.review_helpers import close_job, doa_case

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def supervisor_phone(browser, server):
    context = browser.new_context(
        viewport=VIEWPORT,
        is_mobile=True,
        has_touch=True,
        locale="es-PE",
        timezone_id="America/Lima",
        base_url=server.url,
    )
    context.set_default_timeout(10_000)
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
