"""The courier app in Chromium at 360 px: online, offline with a reload, replays, expired
sessions, failed visits, access between couriers, and installability."""

from __future__ import annotations

import io
import json
import random
import re
import time
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Attachment, AuditEvent, Job, SyncAction, User
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in
from tests.factories import published_stop, stock_unit

pytestmark = pytest.mark.browser
SAVED = "Guardado en el teléfono ✓"


def _courier(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@dataclass(frozen=True)
class Stop:
    """Plain values of a stop, so the test thread holds no SQLite transaction (or lock)
    while the browser works."""

    id: int
    case_id: int
    case_number: str
    service_number: str


def _new_stop(username: str = "carlos") -> tuple[Stop, str]:
    """A DOA stop published to `username`, and a new unit in stock for it."""
    replacement = f"C{random.randrange(100000, 999999)}"
    stock_unit(replacement)
    job = published_stop(_courier(username))
    stop = Stop(job.id, job.case_id, job.case.case_number, job.case.unit.service_number)
    db.session.remove()
    return stop, replacement


def _photo_file(width=2400, height=1800) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "JPEG", quality=70)
    return {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _open_route(page) -> None:
    """Open the route and wait until its stops are kept in the phone for offline work."""
    page.goto("/courier/")
    expect(page.locator("[data-route-cache]")).to_have_attribute("data-offline", "ready")


class Taps:
    """The courier's hands: every tap, field, choice, photo and signature is one tap, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).locator("visible=true").first.click()

    def type(self, selector: str, text: str) -> None:
        self.count += 1
        self.page.locator(selector).locator("visible=true").first.fill(text)

    def choose(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.locator(selector).locator("visible=true").first.select_option(value)

    def photo(self, file: dict) -> None:
        """Tap the visible photo button and take the picture (the camera's shutter not counted)."""
        self.count += 1
        with self.page.expect_file_chooser() as chooser:
            self.page.locator("[data-photo-button]").locator("visible=true").first.click()
        chooser.value.set_files(file)

    def sign(self) -> None:
        self.count += 1
        _sign(self.page)


def _done(page, step: str) -> None:
    """Wait until the step is saved (in the phone or on the server)."""
    expect(page.locator(f'li[data-step="{step}"]')).to_have_attribute("data-done", re.compile("."))


def _submit(page, form_type: str) -> None:
    form = page.locator(f"form[data-queue-form={form_type}]")
    form.locator("button[type=submit]").locator("visible=true").first.click()
    expect(form.locator("[data-form-message]")).to_have_text(SAVED)


def _sign(page) -> None:
    canvas = page.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('canvas[data-signature-pad]').signaturePad"
    )
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 22, box["y"] + 60 + (-1) ** step * 30)
    page.mouse.up()


def _work_doa_stop(page, job: Stop, replacement: str, taps: Taps | None = None) -> Taps:
    """Every step of a DOA swap, from arrival to closing, as a courier does it; the taps counted
    are those of the right path (the wrong number and the early close are not counted)."""
    t = taps or Taps(page)
    t.tap("form[data-queue-form=arrive] button[type=submit]")
    _done(page, "arrive")
    page.fill("input[name=service_number]", "t000000")
    page.locator("form[data-queue-form=check_number] button[type=submit]").click()
    expect(page.locator("form[data-queue-form=check_number] [data-form-message]")).to_contain_text(
        "no coincide con " + job.service_number
    )
    t.type("input[name=service_number]", job.service_number.lower())
    t.type("input[name=replacement]", replacement)
    t.tap("form[data-queue-form=check_number] button[type=submit]")
    _done(page, "check_number")
    page.click("[data-goto=signature]")
    page.locator("form[data-queue-form=signature] button[type=submit]").click()
    expect(page.locator("form[data-queue-form=signature] [data-form-message]")).to_contain_text(
        "falta: foto: comprobante de compra"
    )
    page.click('[data-goto="photo:proof_of_purchase"]')
    t.photo(_photo_file())
    _done(page, "photo:proof_of_purchase")
    t.tap("form[data-queue-form=refill] button[value=no]")
    _done(page, "refill")
    t.sign()
    t.type("input[name=signer_name]", "María Flores")
    t.type("input[name=document_id]", "45678912")
    t.tap("form[data-queue-form=signature] button[type=submit]")
    expect(page.locator("[data-closed-message]")).to_contain_text("Parada cerrada")
    return t


def _eventually(check, timeout: float = 10.0):
    """Run `check` (DB assertions) until it passes: the phone syncs on its own time. Each try
    reads a fresh snapshot and releases SQLite's lock afterwards."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.remove()
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            db.session.remove()


def _pending(page):
    return page.locator("[data-sync-bar] [data-outbox-count]")


def _assert_status(job_id: int, status: JobStatus) -> None:
    assert db.session.get(Job, job_id).status is status


def _assert_doa_done_once(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.DONE and job.case.status is Status.SWAPPED
    assert job.arrival_lat == pytest.approx(-12.0975) and job.device_arrived_at is not None
    files = db.session.scalars(select(Attachment).where(Attachment.job_id == job_id)).all()
    assert sorted(a.purpose.value for a in files) == ["proof_of_purchase", "signature"]
    photo = next(a for a in files if a.kind.value == "photo")
    assert max(photo.width, photo.height) <= 1600
    actions = db.session.scalars(select(SyncAction.type).where(SyncAction.job_id == job_id)).all()
    assert sorted(actions) == sorted(
        ["arrive", "check_number", "photo", "refill", "signature", "complete"]
    )
    audit = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "job", AuditEvent.entity_id == job_id)
    ).all()
    for once in ("job_photo", "job_signed", "job_done", "job_number_checked"):
        assert audit.count(once) == 1, (once, audit)


def test_doa_swap_online_end_to_end(phone, server):
    job, replacement = _new_stop()
    page = phone.new_page()
    log_in(page, "carlos")
    expect(page.locator("h1")).to_contain_text("Mi ruta")
    page.click(f"a[href='/courier/stops/{job.id}']")
    _work_doa_stop(page, job, replacement)
    # Wait on the state: the phone's queue is empty (not polling the database meanwhile: the
    # test thread's reads would compete with the syncs for SQLite's lock), then the server has
    # every step exactly once.
    expect(_pending(page)).to_have_text("0")
    _eventually(lambda: _assert_doa_done_once(job.id))
    # The supervisor sees it on the case's timeline, waiting for review.
    supervisor = phone.browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=server.url
    )
    review = supervisor.new_page()
    log_in(review, "sofia")
    review.goto(f"/cases/{job.case_number}")
    expect(review.locator("body")).to_contain_text("Firma registrada (adjunto ")
    expect(review.locator("body")).to_contain_text("Por aprobar")
    supervisor.close()


def test_actions_queued_while_a_sync_is_on_its_way_are_sent_without_waiting(phone, server):
    """An action added while a slow sync is in flight is not in that sync's list: the phone
    must send it right after, not 30 s later (a loaded machine showed "1 pending" for 5 s)."""
    job, _ = _new_stop()
    server.recorder.delay_seconds = 1.5
    page = phone.new_page()
    log_in(page, "carlos")
    page.goto(f"/courier/stops/{job.id}")
    _submit(page, "arrive")  # its sync now takes 1.5 s
    page.fill("input[name=service_number]", job.service_number)
    page.fill("input[name=replacement]", "C123456")
    _submit(page, "check_number")  # queued while the first sync is on its way
    # Well under the sync bar's 30 s retry: only a drain that follows the first one passes.
    expect(_pending(page)).to_have_text("0", timeout=12_000)
    _eventually(lambda: _assert_status(job.id, JobStatus.IN_PROGRESS))


def test_numbers_typed_with_unicode_dashes_pass_on_the_phone_and_the_server(phone, server):
    """Phones and label printers write en dashes and non-breaking hyphens: the phone's check
    (the rule rendered from the domain) and the server's parse accept them alike."""
    job, replacement = _new_stop()
    page = phone.new_page()
    log_in(page, "carlos")
    page.goto(f"/courier/stops/{job.id}")
    _submit(page, "arrive")
    typed = job.service_number
    dashed = f"{typed[0].lower()}\u2013{typed[1:4]}\u2011{typed[4:]}"  # en dash, no-break hyphen
    page.fill("input[name=service_number]", dashed)
    page.fill("input[name=replacement]", f"{replacement[:1]} \u2014 {replacement[1:]}")
    _submit(page, "check_number")
    expect(page.locator("input[name=service_number]")).to_have_value(typed)
    expect(_pending(page)).to_have_text("0")

    def checked():
        found = db.session.get(Job, job.id)
        assert found.checked_service_number == typed
        assert found.replacement_service_number == replacement

    _eventually(checked)


def test_doa_swap_offline_with_reload_then_replayed(phone, server):
    job, replacement = _new_stop()
    page = phone.new_page()
    log_in(page, "carlos")
    _open_route(page)
    server.stop()  # no network from here on, for the page and its service worker alike
    page.goto(f"/courier/stops/{job.id}")
    page.reload()
    expect(page.locator("h1")).to_contain_text("Cambio DOA")
    _work_doa_stop(page, job, replacement)
    expect(_pending(page)).to_have_text("6")
    page.reload()  # still offline: the steps done stay done
    expect(page.locator("[data-closed-message]")).to_contain_text("Parada cerrada")
    expect(_pending(page)).to_have_text("6")

    server.recorder.fail_after_apply = 1  # the first answer is lost: the action is replayed
    server.start()
    page.click("[data-sync-now]")
    expect(page.locator("[data-outbox-state]")).to_contain_text("se reintentará")
    page.click("[data-sync-now]")
    expect(_pending(page)).to_have_text("0")
    _eventually(lambda: _assert_doa_done_once(job.id))

    # The whole queue replayed once more (e.g. a second phone tab): nothing doubles.
    sent = [json.loads(body) for body in server.recorder.bodies]
    assert len({action["id"] for action in sent}) == 6 and len(sent) >= 7
    for action in sent:
        again = page.request.post(
            "/courier/sync",
            data=json.dumps(action),
            headers={"Content-Type": "application/json", "Origin": server.url},
        )
        assert again.status == 200 and again.json()["replayed"] is True
    _eventually(lambda: _assert_doa_done_once(job.id))


def test_expired_session_keeps_the_queue_until_login(phone, server):
    job, _ = _new_stop()
    page = phone.new_page()
    log_in(page, "carlos")
    page.goto(f"/courier/stops/{job.id}")
    phone.clear_cookies()  # the session (and remember-me) expired
    _submit(page, "arrive")
    expect(page.locator("[data-outbox-state]")).to_contain_text("Su sesión expiró")
    expect(_pending(page)).to_have_text("1")
    page.click("[data-outbox-login]")
    page.fill("#username", "carlos")
    page.fill("#password", "correct-horse-battery")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Cambio DOA")
    expect(_pending(page)).to_have_text("0")
    _eventually(lambda: _assert_status(job.id, JobStatus.IN_PROGRESS))


def _fail_visit(page, taps: Taps | None = None) -> Taps:
    """A failed visit: nobody home, proved by a photo of the door."""
    t = taps or Taps(page)
    t.tap("[data-goto=fail]")
    t.choose("select[name=reason]", "not_home")
    page.locator("form[data-queue-form=fail] button[type=submit]").click()
    expect(page.locator("form[data-queue-form=fail] [data-form-message]")).to_contain_text(
        "Tome primero la foto"
    )
    t.photo(_photo_file(1200, 900))
    _done(page, "photo:failed_attempt")
    t.type("textarea[name=note]", "Nadie abrió; se tocó el timbre 3 veces")
    t.tap("form[data-queue-form=fail] button[type=submit]")
    expect(page.locator("[data-closed-message]")).to_contain_text("vuelve a despacho")
    return t


def test_failed_attempt_returns_the_job_to_dispatch(phone, server):
    job, _ = _new_stop()
    page = phone.new_page()
    log_in(page, "carlos")
    page.goto(f"/courier/stops/{job.id}")
    _fail_visit(page)
    expect(_pending(page)).to_have_text("0")
    _eventually(lambda: _assert_failed(job.id))


def _two_files(job_id: int) -> list[int]:
    files = db.session.scalars(select(Attachment.id).where(Attachment.job_id == job_id)).all()
    assert len(files) == 2
    return files


def _assert_failed(job_id: int) -> None:
    failed = db.session.get(Job, job_id)
    assert failed.status is JobStatus.FAILED and failed.failure_reason.value == "not_home"
    assert failed.case.status is Status.RECEIVED
    again = db.session.scalar(select(Job).where(Job.case_id == failed.case_id, Job.id != failed.id))
    assert again.status is JobStatus.PENDING and again.attempt == 2


def test_a_courier_cannot_open_another_couriers_stop_or_files(phone, server, browser):
    theirs, _ = _new_stop("rosa")
    rosa = browser.new_context(viewport={"width": 360, "height": 740}, base_url=server.url)
    page = rosa.new_page()
    log_in(page, "rosa")
    page.goto(f"/courier/stops/{theirs.id}")
    page.click('[data-goto="photo:proof_of_purchase"]')
    Taps(page).photo(_photo_file(800, 600))
    _done(page, "photo:proof_of_purchase")
    page.click("[data-goto=fail]")
    Taps(page).photo(_photo_file(640, 480))
    _done(page, "photo:failed_attempt")
    expect(page.locator("[data-sync-bar] [data-outbox-count]")).to_have_text("0")
    rosa.close()
    files = _eventually(lambda: _two_files(theirs.id))

    mine = phone.new_page()
    log_in(mine, "carlos")
    response = mine.goto(f"/courier/stops/{theirs.id}")
    assert response.status == 404
    expect(mine.locator("h1")).to_have_text("Error 404")
    for attachment_id in files:
        assert mine.request.get(f"/media/{attachment_id}").status == 404


def test_manifest_and_service_worker_pass_the_installability_check(browser, server, tmp_path):
    # Installability is never granted in an incognito profile: use a persistent one.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        base_url=server.url,
    )
    try:
        page = context.new_page()
        log_in(page, "carlos")
        _open_route(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert '"display": "standalone"' in manifest["data"]
    finally:
        context.close()
