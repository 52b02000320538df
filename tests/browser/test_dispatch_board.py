"""A dispatcher's day on the board in Chromium (1366×768 desktop, 768×1024 tablet): planning from
now, the map (tiles and the offline SVG fallback) and one deadline status on every screen."""

from __future__ import annotations

import http.server
import io
import math
import re
import threading
from datetime import date, datetime, time, timedelta
from itertools import count

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.deadlines import LIMA_TZ, add_business_days, end_of_day
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case, Route, User
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from fieldapp.worker.jobs import optimise
from tests import factories
from tests.browser.conftest import browser_context, log_in
from tests.factories import close_job, doa_case

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
    return browser_context(browser, server, viewport, mobile=False, timeout_ms=15_000)


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
    return factories.courier_with_profile(
        f"moto{n}", capacity, full_name=f"Courier {n:02d}", shift_start=shift[0], shift_end=shift[1]
    ).id


def doa_jobs(day: date, districts=("150122", "150131", "150140")) -> list[tuple[int, str]]:
    """DOA swap jobs in Lima due at the end of `day`: (job id, case number) each."""
    made = []
    for ubigeo in districts:
        case = factories.case(purchase_date=factories.days_ago(5), customer={"ubigeo": ubigeo})
        job = visits.open_job(case)
        job.due_at = end_of_day(day)
        made.append((job.id, case.case_number))
    db.session.commit()
    db.session.remove()
    return made


def test_after_the_shift_started_the_plan_starts_now_and_after_it_ended_the_next_day_opens(
    desk, server, clock, live_worker
):
    day = plan_day()
    courier()
    made = doa_jobs(day)
    clock(at(day, 14, 30))
    desk.goto("/dispatch/")
    expect(desk.locator("#day")).to_have_value(day.isoformat())
    desk.get_by_role("button", name="Optimizar").click()
    # The worker solves it; the board polls the run and swaps the plan in.
    expect(desk.locator("[data-run-status='applied']")).to_contain_text("Plan optimizado")
    for _job_id, case_number in made:
        stop = desk.locator("li.stop", has_text=case_number)
        expect(stop).to_have_count(1)
        eta = re.search(r"\d+\. (\d\d):(\d\d)", stop.inner_text())
        assert eta is not None, stop.inner_text()
        assert (int(eta[1]), int(eta[2])) >= (14, 30), f"ETA in the past: {eta[0]}"

    clock(at(day, 18, 30))
    desk.goto("/dispatch/")
    expect(desk.locator("#day")).to_have_value(add_business_days(day, 1).isoformat())


def _set_deadline(case_id: int, starts_at: datetime, due_at: datetime) -> None:
    """Move the swap deadline of a case (and its open job's due time) to `starts_at`–`due_at`."""
    case = db.session.get(Case, case_id)
    (swap,) = [d for d in case.deadlines if d.name == "swap"]
    swap.starts_at, swap.due_at = starts_at, due_at
    job = visits.open_job(case)
    job.due_at = due_at
    db.session.commit()


def _screens_day() -> dict:
    """A courier's published route of today with three DOA stops whose deadlines stand
    differently: one closed a day late, one open past due, one open with little time left."""
    now = utcnow()
    courier_user = db.session.get(User, courier())
    late, overdue, risky = (doa_case() for _ in range(3))
    _set_deadline(late.id, now - timedelta(days=2), now - timedelta(days=1))
    late_job = close_job(late, courier_user)  # closed now: a day after it was due
    _set_deadline(overdue.id, now - timedelta(hours=26), now - timedelta(hours=2))
    _set_deadline(risky.id, now - timedelta(hours=30), now + timedelta(hours=2))
    route = db.session.scalar(
        select(Route).where(Route.courier_id == courier_user.id, Route.day == factories.days_ago(0))
    )
    for case in (overdue, risky):
        job = visits.open_job(case)
        route.jobs.append(job)
        job.status, job.sequence = JobStatus.PLANNED, len(route.jobs)
    route.published_at = now
    db.session.commit()
    found = {
        "late": (late.case_number, late_job.id),
        "overdue": (overdue.case_number, None),
        "risky": (risky.case_number, None),
        "courier": courier_user.username,
    }
    db.session.remove()
    return found


def test_one_deadline_status_on_every_screen(browser, server, live_app):
    day = _screens_day()
    expected = {"late": "missed", "overdue": "overdue", "risky": "at_risk"}
    words = {"missed": "Incumplido", "overdue": "Vencido", "at_risk": "En riesgo"}
    seen: dict[str, dict[str, str]] = {key: {} for key in expected}

    def read(screen: str, key: str, badge) -> None:
        expect(badge).to_have_count(1)
        seen[key][screen] = f"{badge.get_attribute('data-deadline-status')}:{badge.inner_text()}"

    courier_phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="es-PE", base_url=server.url
    )
    page = courier_phone.new_page()
    log_in(page, day["courier"])
    page.goto("/courier/")
    for key in expected:
        number = day[key][0]
        read("courier", key, page.locator(f'li[data-case="{number}"] [data-deadline-status]'))
    courier_phone.close()

    office = dispatcher_context(browser, server, DESKTOP)
    page = office.new_page()
    log_in(page, "sofia")
    expect(page.locator("h1")).to_be_visible()
    for key in expected:
        number = day[key][0]
        page.goto(f"/cases/{number}")
        read("case", key, page.locator('[data-deadline="swap"] [data-deadline-status]'))
    page.goto("/supervisor/")
    read("supervisor", "late", page.locator(f"#job-{day['late'][1]} [data-deadline-status]"))
    page.goto("/supervisor/dashboard")
    for key in ("overdue", "risky"):
        card = page.locator("li.card.case", has_text=day[key][0])
        read("dashboard", key, card.locator("[data-deadline-status]"))
    office.close()

    desk = dispatcher_context(browser, server, DESKTOP)
    page = desk.new_page()
    factories.user(Role.DISPATCHER, username="diana_plazos", full_name="Diana Plazos")
    log_in(page, "diana_plazos")
    expect(page.locator("h1")).to_be_visible()
    page.goto(f"/dispatch/?day={factories.days_ago(0).isoformat()}")
    for key in expected:
        stop = page.locator("li.stop", has_text=day[key][0])
        read("board", key, stop.locator("[data-deadline-status]"))
    desk.close()

    for key, status in expected.items():
        answers = set(seen[key].values())
        assert answers == {f"{status}:{words[status]}"}, (key, seen[key])
    assert set(seen["late"]) == {"courier", "case", "supervisor", "board"}
    assert set(seen["overdue"]) == {"courier", "case", "dashboard", "board"}


# --- The map: tiles from a local fixture folder, and the offline SVG fallback ------------------


@pytest.fixture(scope="module")
def tile_server():
    """A tile server on 127.0.0.1 answering every `/{z}/{x}/{y}.png` with a small PNG made here
    (whatever the board's bounds: the shared live app may hold jobs all over Peru) and 404 for
    anything else; `requested` lists the paths asked for."""
    image = Image.new("RGB", (256, 256), (214, 232, 214))
    ImageDraw.Draw(image).rectangle((0, 0, 255, 255), outline=(150, 170, 150))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    png = buffer.getvalue()
    tile_path = re.compile(r"^/\d+/\d+/\d+\.png$")
    requested: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            requested.append(self.path)
            if not tile_path.match(self.path):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):  # quiet
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.requested = requested
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def tiles(live_app):
    """Set the tile URL setting for the test (empty afterwards)."""

    def set_to(url: str) -> None:
        live_app.config["MAP_TILE_URL"] = url

    yield set_to
    live_app.config["MAP_TILE_URL"] = ""


def planned_day() -> tuple[date, list[tuple[int, str]]]:
    """A future day planned by the optimiser: three stops at San Isidro's centre (one point)."""
    day = add_business_days(datetime.now(LIMA_TZ).date(), 30 + next(_names))
    courier()
    made = doa_jobs(day, districts=("150131", "150131", "150131"))
    actor = factories.user(Role.DISPATCHER)
    optimise(day, actor, seconds=0.5)
    db.session.commit()
    db.session.remove()
    return day, made


def test_the_board_map_shows_tiles_popups_and_fanned_out_stops(desk, server, tile_server, tiles):
    day, made = planned_day()
    tiles(tile_server.url + "/{z}/{x}/{y}.png")
    desk.goto(f"/dispatch/?day={day.isoformat()}")
    figure = desk.locator("[data-plan-figure]")
    expect(figure).to_have_attribute("data-map-state", "tiles")
    expect(desk.locator(".leaflet-tile-loaded").first).to_be_visible()
    expect(desk.locator("[data-plan-svg]")).to_be_hidden()
    assert any(path.endswith(".png") for path in tile_server.requested)

    markers = [desk.locator(f'.plan-stop[title="{number}"]') for _, number in made]
    boxes = []
    for marker in markers:
        expect(marker).to_be_visible()
        boxes.append(marker.bounding_box())
    centres = [(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2) for b in boxes]
    for i, a in enumerate(centres):
        for b in centres[i + 1 :]:
            assert math.dist(a, b) >= 20, f"stops at one place overlap: {centres}"

    job_id, number = made[1]
    markers[1].click()
    popup = desk.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(number)
    expect(popup).to_contain_text("Cliente: María Flores")
    expect(popup).to_contain_text(re.compile(r"Llegada: \d\d:\d\d"))
    expect(desk.locator(f"#stop-{job_id}")).to_have_class(re.compile(r"\bselected\b"))
    other_id, other_number = made[2]
    desk.locator(f"#stop-{other_id} strong").first.click()  # and from the list to the map
    expect(desk.locator(".leaflet-popup-content", has_text=other_number)).to_be_visible()
    expect(desk.locator(f"#stop-{other_id}")).to_have_class(re.compile(r"\bselected\b"))

    list_box = desk.locator(".board-list").bounding_box()
    map_box = figure.bounding_box()
    if desk.viewport_size["width"] >= 1100:
        assert map_box["x"] + map_box["width"] <= list_box["x"], "map and list side by side"
    else:
        assert map_box["y"] + map_box["height"] <= list_box["y"], "list below the map"


def test_without_a_tile_url_the_board_keeps_the_offline_svg_map(desk, server, tiles):
    day, made = planned_day()
    tiles("")
    desk.goto(f"/dispatch/?day={day.isoformat()}")
    expect(desk.locator("[data-plan-svg]")).to_be_visible()
    expect(desk.locator("[data-plan-svg] circle").first).to_be_visible()
    expect(desk.locator(".leaflet-container")).to_have_count(0)


def test_when_tiles_fail_the_board_falls_back_to_the_svg_map(desk, server, tile_server, tiles):
    day, made = planned_day()
    tiles(tile_server.url + "/missing/{z}/{x}/{y}.png")
    desk.goto(f"/dispatch/?day={day.isoformat()}")
    expect(desk.locator("[data-plan-figure]")).to_have_attribute("data-map-state", "fallback")
    expect(desk.locator("[data-plan-svg]")).to_be_visible()
    expect(desk.locator("[data-plan-map]")).to_be_hidden()
