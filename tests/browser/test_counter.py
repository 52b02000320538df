"""The counter clerk registers a walk-in at a desktop (1366 × 768) in Chromium: every error at
once after submit, and the district typed with suggestions instead of three selects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case, User
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def desk(browser, server):
    if db.session.scalar(select(User).where(User.username == "mostrador")) is None:
        factories.user(Role.TECHNICIAN, username="mostrador", full_name="Mónica Torres")
        db.session.commit()
    db.session.remove()
    context = browser.new_context(
        viewport=DESKTOP, locale="es-PE", timezone_id="America/Lima", base_url=server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp: list[str] = []
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "mostrador", "/cases/new")
    expect(page.get_by_role("heading", name="Registrar caso")).to_be_visible()
    yield page
    assert not csp, csp
    context.close()


def test_every_error_shows_after_submit_including_the_live_panels(desk):
    page = desk
    page.fill("#case_number", "KCC-BROWSER-ERR")
    page.fill("#service_number", "12345")
    later = factories.days_ago(0) + timedelta(days=3)
    page.fill("#purchase_date", later.isoformat())
    panel = page.locator("#assessment")
    expect(panel).to_contain_text("letra seguida de 6 dígitos")
    expect(panel).to_contain_text("no puede ser posterior a la fecha de hoy")
    page.get_by_role("button", name="Registrar caso").click()  # no name, phone or district

    summary = page.locator("[data-test=error-summary]")
    for message in (
        "letra seguida de 6 dígitos",
        "no puede ser posterior a la fecha de hoy",
        "Ingrese el nombre del cliente.",
        "Ingrese un teléfono de contacto.",
        "Indique el distrito",
    ):
        expect(summary).to_contain_text(message)
    expect(page.locator("#service_number-error")).to_contain_text("letra seguida de 6 dígitos")
    expect(page.locator("#purchase_date-error")).to_contain_text("posterior a la fecha de hoy")
    expect(panel).to_contain_text("letra seguida de 6 dígitos")  # the panel did not go blank
    expect(page.locator("#service_number")).to_have_value("12345")
    summary.get_by_role("link", name="Número de servicio (service number)").click()
    expect(page.locator("#service_number")).to_be_focused()
    assert db.session.scalar(select(Case).where(Case.case_number == "KCC-BROWSER-ERR")) is None


def test_district_is_typed_and_picked_from_suggestions(desk):
    page = desk
    expect(page.locator("select[name=customer_department]")).to_have_count(0)
    page.fill("#case_number", "KCC-BROWSER-OK")
    page.fill("#service_number", "T 654 777")
    page.fill("#purchase_date", factories.days_ago(90).isoformat())
    page.fill("#customer_name", "Lucía Rojas")
    page.fill("#customer_phone", "987 111 222")
    page.locator("#customer_place").press_sequentially("miraf")
    option = page.get_by_role("option", name="Miraflores Lima (Lima) · 150122")
    expect(option).to_be_visible()
    expect(
        page.get_by_role("option", name="Miraflores Arequipa (Arequipa) · 040110")
    ).to_be_visible()
    option.click()
    expect(page.locator("#customer_place")).to_have_value("Miraflores, Lima (Lima)")
    expect(page.locator("#customer_district")).to_have_value("150122")
    expect(page.locator("#customer_place-options [data-place-option]")).to_have_count(0)
    expect(page.locator("#assessment")).to_contain_text("Lima")  # the panel heard the pick

    # Keyboard only for the store's district: type, arrow down, Enter.
    page.locator("#store_place").press_sequentially("lince")
    expect(page.get_by_role("option", name="Lince Lima (Lima) · 150116")).to_be_visible()
    page.locator("#store_place").press("ArrowDown")
    expect(page.get_by_role("option", name="Lince Lima (Lima) · 150116")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#store_district")).to_have_value("150116")
    page.fill("#store_place", "")
    expect(page.locator("#store_district")).to_have_value("")  # typing again drops the pick

    page.get_by_role("button", name="Registrar caso").click()
    expect(page.locator(".flash-success")).to_contain_text("Caso KCC-BROWSER-OK registrado.")
    case = db.session.scalar(select(Case).where(Case.case_number == "KCC-BROWSER-OK"))
    assert case.ubigeo == "150122" and case.store is None
    db.session.remove()
