"""A dispatcher's day on the board in Chromium (1366×768 desktop, 768×1024 tablet): planning from
now, the map (tiles and the offline SVG fallback) and one deadline status on every screen."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from itertools import count

import pytest
from playwright.sync_api import expect

from fieldapp.domain.deadlines import LIMA_TZ, add_business_days, end_of_day
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import CourierProfile
from fieldapp.services import jobs
from tests import factories
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
_names = count(1)


def plan_day() -> date:
    """A working day well ahead of today, so no other test's jobs are due on it."""
    return add_business_days(datetime.now(LIMA_TZ).date(), 20)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at hour:minute in Lima."""
    return datetime.combine(day, time(hour, minute), tzinfo=LIMA_TZ)


@pytest.fixture
def clock(live_app):
    """Set the app's clock (CLOCK) for the test; the real clock comes back afterwards."""

    def set_to(when: datetime) -> None:
        live_app.config["CLOCK"] = lambda: when

    yield set_to
    live_app.config.pop("CLOCK", None)


def dispatcher_context(browser, server, viewport):
    context = browser.new_context(
        viewport=viewport, locale="es-PE", timezone_id="America/Lima", base_url=server.url
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture(params=[DESKTOP, TABLET], ids=["1366x768", "768x1024"])
def desk(request, browser, server, live_app):
    """A dispatcher's browser at the desktop and tablet viewports, logged in."""
    live_app.config["ROUTING_SECONDS"] = 0.5
    context = dispatcher_context(browser, server, request.param)
    name = f"despacho{next(_names)}"
    factories.user(Role.DISPATCHER, username=name, full_name="Diana Salas")
    page = context.new_page()
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, name)
    expect(page.locator("h1")).to_be_visible()
    yield page
    context.close()
    assert not csp_errors, csp_errors


def courier(shift=(time(8, 30), time(18, 0)), capacity: int = 10) -> int:
    """A courier with a profile based at the ST counter; returns their id."""
    n = next(_names)
    user = factories.user(Role.COURIER, username=f"moto{n}", full_name=f"Courier {n:02d}")
    db.session.add(
        CourierProfile(
            user_id=user.id,
            base_name="San Isidro",
            base_lat=-12.0977,
            base_lon=-77.0365,
            vehicle="car",
            capacity=capacity,
            shift_start=shift[0],
            shift_end=shift[1],
        )
    )
    db.session.commit()
    return user.id


def doa_jobs(day: date, districts=("150122", "150131", "150140")) -> list[tuple[int, str]]:
    """DOA swap jobs in Lima due at the end of `day`: (job id, case number) each."""
    made = []
    for ubigeo in districts:
        case = factories.case(purchase_date=factories.days_ago(5), customer={"ubigeo": ubigeo})
        job = jobs.open_job(case)
        job.due_at = end_of_day(day)
        made.append((job.id, case.case_number))
    db.session.commit()
    db.session.remove()
    return made


def test_after_the_shift_started_the_plan_starts_now_and_after_it_ended_the_next_day_opens(
    desk, server, clock
):
    day = plan_day()
    courier()
    made = doa_jobs(day)
    clock(at(day, 14, 30))
    desk.goto("/dispatch/")
    expect(desk.locator("#day")).to_have_value(day.isoformat())
    desk.get_by_role("button", name="Optimizar").click()
    expect(desk.locator(".flash-success")).to_contain_text("Plan optimizado")
    for _job_id, case_number in made:
        stop = desk.locator("li.stop", has_text=case_number)
        expect(stop).to_have_count(1)
        eta = re.search(r"\d+\. (\d\d):(\d\d)", stop.inner_text())
        assert eta is not None, stop.inner_text()
        assert (int(eta[1]), int(eta[2])) >= (14, 30), f"ETA in the past: {eta[0]}"

    clock(at(day, 18, 30))
    desk.goto("/dispatch/")
    expect(desk.locator("#day")).to_have_value(add_business_days(day, 1).isoformat())
