"""The customer's tracking page on a phone (360 × 740) in Chromium: the window and ETA before the
visit; after a failed visit, what happened in plain words and the ST's phone and WhatsApp."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.jobs import FailureReason
from fieldapp.extensions import db
from fieldapp.models import Job, User
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from tests.factories import doa_case, plan_job

pytestmark = pytest.mark.browser


def _published_visit(eta_in: timedelta, *, window: bool) -> tuple[str, str, int]:
    """A DOA visit on a published route of Rosa's, on a day no other browser test uses;
    (token, case number, job id)."""
    courier = db.session.scalar(select(User).where(User.username == "rosa"))
    case = doa_case()
    job, route = plan_job(case, courier, utcnow().date() + timedelta(days=40))
    job.eta = (utcnow() + eta_in).replace(second=0, microsecond=0)
    if window:
        job.window_start = job.eta - timedelta(hours=1)
        job.window_end = job.eta + timedelta(hours=1)
    job.tracking_token = secrets.token_urlsafe(32)
    db.session.flush()
    visits.on_publish(route, courier)
    route.published_at = utcnow()
    db.session.commit()
    values = (job.tracking_token, case.case_number, job.id)
    db.session.remove()
    return values


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width} px)"


def test_before_the_visit_the_customer_sees_the_window_and_the_eta(phone, server):
    token, _, _ = _published_visit(timedelta(hours=3), window=False)
    page = phone.new_page()
    page.goto(f"/t/{token}")
    expect(page.get_by_role("heading", name="Hola, María")).to_be_visible()
    expect(page.locator("[data-test=window]")).to_contain_text("Le visitaremos el")
    expect(page.locator("[data-test=eta]")).to_contain_text("Hora estimada de llegada:")
    expect(page.locator("[data-test=call]")).to_be_visible()
    _fits_the_phone(page)


def test_after_a_failed_visit_plain_words_and_how_to_reschedule(phone, server):
    token, case_number, job_id = _published_visit(timedelta(hours=1), window=True)
    courier = db.session.scalar(select(User).where(User.username == "rosa"))
    job = db.session.get(Job, job_id)
    visits.arrive(job, courier)
    visits.fail(job, courier, FailureReason.NOT_HOME, has_photo=True)
    db.session.commit()
    db.session.remove()

    page = phone.new_page()
    page.goto(f"/t/{token}")
    state = page.locator(".state")
    expect(state).to_contain_text("No pudimos hacer la visita.")
    expect(state).to_contain_text("nuestro courier fue a cambiar su equipo, pero no encontró a")
    expect(page.locator("[data-test=reschedule]")).to_contain_text("coordinar una nueva visita")
    call = page.locator("[data-test=call]")
    expect(call).to_contain_text("Llamar al (01) 422-1234")
    assert call.get_attribute("href") == "tel:014221234"
    whatsapp = page.locator("[data-test=whatsapp]")
    expect(whatsapp).to_be_visible()
    link = urlparse(whatsapp.get_attribute("href"))
    assert (link.netloc, link.path) == ("wa.me", "/51999888777")
    assert case_number in parse_qs(link.query)["text"][0]
    box = call.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    expect(page.locator("[data-test=window]")).to_have_count(0)  # the old window is gone
    _fits_the_phone(page)
