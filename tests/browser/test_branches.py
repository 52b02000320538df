"""A supervisor of every branch picks one branch in the review queue on a phone (390 × 844); a
supervisor of San Luis sees only San Luis's jobs, without a selector."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Job, User
from fieldapp.services.supervisor import approval
from tests import factories
from tests.browser.conftest import csp_errors, log_in
from tests.factories import close_job, doa_case

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 390, "height": 844}
SAN_LUIS = (-12.0756, -76.9936)


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


def _two_branches() -> dict[str, tuple[int, str]]:
    """A job of each branch waiting for review, and a supervisor bound to San Luis, as plain
    values (no open transaction is kept while the browser works)."""
    factories.branch("san-isidro", "Mostrador San Isidro", ST_COUNTER)
    luis = factories.branch("san-luis", "Mostrador San Luis", SAN_LUIS, "150134")
    # A courier of its own: a stop left on a shared courier's unpublished route of today
    # would hide the routes other browser tests publish to them.
    courier = db.session.scalar(select(User).where(User.username == "beto"))
    if courier is None:
        courier = factories.user(Role.COURIER, username="beto", full_name="Beto Salas")
    found = {}
    for code, ubigeo in (("san-isidro", "150131"), ("san-luis", "150134")):
        case = doa_case(customer={"ubigeo": ubigeo})
        assert case.branch.code == code
        found[code] = (close_job(case, courier).id, case.case_number)
    if db.session.scalar(select(User).where(User.username == "lucia")) is None:
        factories.user(Role.SUPERVISOR, username="lucia", full_name="Lucía San Luis")
    lucia = db.session.scalar(select(User).where(User.username == "lucia"))
    lucia.branch_id = luis.id
    db.session.commit()
    db.session.remove()
    return found


def _approve_all(found) -> None:
    """Leave the shared queue as it was for the other browser tests."""
    boss = db.session.scalar(select(User).where(User.username == "sofia"))
    for job_id, _ in found.values():
        approval.approve(db.session.get(Job, job_id), boss)
    db.session.commit()
    db.session.remove()


def test_the_queue_shows_the_branch_chosen(supervisor_phone, server):
    found = _two_branches()
    (isidro_id, isidro_number), (luis_id, luis_number) = found["san-isidro"], found["san-luis"]
    try:
        page = supervisor_phone.new_page()
        errors = csp_errors(page)
        log_in(page, "sofia")  # bound to no branch: every branch, and a selector
        page.goto("/supervisor/")
        expect(page.locator(f"#job-{isidro_id}")).to_contain_text(isidro_number)
        expect(page.locator(f"#job-{luis_id}")).to_contain_text(luis_number)
        expect(page.locator("#branch option:checked")).to_have_text("Todas las sedes")
        page.select_option("#branch", label="Mostrador San Luis")
        page.get_by_role("button", name="Filtrar").click()
        expect(page.locator(f"#job-{isidro_id}")).to_have_count(0)
        expect(page.locator(f"#job-{luis_id}")).to_contain_text(luis_number)
        expect(page.locator("#branch option:checked")).to_have_text("Mostrador San Luis")
        assert errors == []

        other = supervisor_phone.browser.new_context(viewport=VIEWPORT, base_url=server.url)
        try:
            bound = other.new_page()
            log_in(bound, "lucia")  # bound to San Luis: its jobs only, no selector
            bound.goto("/supervisor/?branch=all")
            expect(bound.locator(f"#job-{luis_id}")).to_contain_text(luis_number)
            expect(bound.locator(f"#job-{isidro_id}")).to_have_count(0)
            expect(bound.locator("#branch")).to_have_count(0)
        finally:
            other.close()
    finally:
        _approve_all(found)
