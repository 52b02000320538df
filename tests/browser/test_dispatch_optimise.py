"""The dispatcher presses Optimizar: the request only queues the run, the board shows its
progress, and the plan appears when the worker applied it — without a page reload."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import courier_with_profile as courier
from tests.services.test_dispatch import doa_jobs

pytestmark = pytest.mark.browser


def test_optimise_queues_a_run_and_the_plan_appears_without_a_reload(
    browser, server, live_app, live_worker
):
    day = datetime.now(LIMA_TZ).date() + timedelta(days=2)
    courier("olga", capacity=4)
    made = doa_jobs(3, day)
    factories.user(Role.DISPATCHER, username="dora", full_name="Dora Díaz")
    numbers = [job.case.case_number for job in made]
    db.session.remove()
    budget = live_app.config["ROUTING_SECONDS"]
    live_app.config["ROUTING_SECONDS"] = 1.0
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="es-PE", base_url=server.url
    )
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        log_in(page, "dora", f"/dispatch/?day={day.isoformat()}")
        page.wait_for_url(f"**/dispatch/?day={day.isoformat()}")
        page.evaluate("window.__notReloaded = true")
        page.click("#board button:has-text('Optimizar')")
        progress = page.locator("[data-run-status]")
        expect(progress).to_contain_text("Optimización en cola")  # the answer to the click
        expect(page.locator("#board button:has-text('Optimizar')")).to_be_disabled()
        expect(page.locator("[data-run-status='applied']")).to_contain_text("Plan optimizado:")
        for number in numbers:  # each of the day's jobs is now a stop on a route
            expect(page.locator("#board .stop", has_text=number)).to_have_count(1)
        assert page.evaluate("window.__notReloaded === true")  # swapped in by htmx, not reloaded
        expect(page.locator("#board button:has-text('Optimizar')")).to_be_enabled()
    finally:
        context.close()
        live_app.config["ROUTING_SECONDS"] = budget
