"""An admin corrects a branch in Chromium: a wrong UBIGEO is refused next to its field, the
right one moves the branch to its district's point."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Branch
from tests import factories
from tests.browser.conftest import csp_errors, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(browser, server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="es-PE",
        timezone_id="America/Lima",
        base_url=server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_the_admin_fixes_a_branchs_district(admin_page, server):
    page = admin_page
    factories.user(Role.ADMIN, username="admin-sedes")
    factories.branch("trujillo-centro", "Mostrador Trujillo", (-8.1, -79.0), ubigeo="130101")
    db.session.remove()
    errors = csp_errors(page)
    log_in(page, "admin-sedes", "/admin/")
    page.get_by_role("link", name="Sedes").click()
    page.get_by_role("link", name="Editar Mostrador Trujillo").click()
    expect(page.locator("h1")).to_have_text("Editar Mostrador Trujillo")
    page.fill("#ubigeo", "130199")
    page.get_by_role("button", name="Guardar sede").click()
    expect(page.locator("#ubigeo-error")).to_have_text(
        "UBIGEO desconocido: 130199 no es un distrito del Perú."
    )
    expect(page.locator("[data-test=error-summary]")).to_contain_text("UBIGEO del distrito")
    page.fill("#ubigeo", "130104")  # Huanchaco
    page.fill("#lat", "")
    page.fill("#lon", "")
    page.get_by_role("button", name="Guardar sede").click()
    expect(page.get_by_text("Sede Mostrador Trujillo guardada.")).to_be_visible()
    row = page.locator("#branches tr", has_text="Mostrador Trujillo")
    expect(row).to_contain_text("130104")
    branch = db.session.scalar(select(Branch).where(Branch.code == "trujillo-centro"))
    assert branch.point == Gazetteer.default().require("130104").point
    assert not errors
