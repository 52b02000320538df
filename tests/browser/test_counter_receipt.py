"""A unit received at the counter has its receipt PDF within seconds, with nothing running but
what `make run` starts: `flask serve` (web and worker in one process) on SQLite."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from tests import factories
from tests.conftest import make_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
RECEIPT_WITHIN_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Until the server answers /healthz (or the process died)."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"flask serve exited with {process.returncode}: {log.read_text()}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("flask serve did not answer in time")


@pytest.fixture
def served(template_db, tmp_path):
    """`flask --app fieldapp serve` in a subprocess, on a migrated SQLite copy with a
    technician and a case whose customer brings the unit to the counter."""
    database = tmp_path / "served.db"
    shutil.copy(template_db, database)
    app = make_app(database, tmp_path)
    with app.app_context():
        factories.user(Role.TECHNICIAN, username="tecnico", full_name="Teo Técnico")
        case_number = factories.case().case_number  # warranty, Lima: the customer brings it
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "FIELDAPP_ENV": "development",
        "SECRET_KEY": "served-test-secret-key-0123456789abcdefghijkl",
        "DATABASE_URL": f"sqlite:///{database}",
        "FIELDAPP_MEDIA_ROOT": str(tmp_path / "media"),
        "FIELDAPP_MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PORT": str(port),
    }
    env.pop("FIELDAPP_QUEUE_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "fieldapp", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process, tmp_path / "serve.log")
        yield url, case_number
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_counter_reception_has_its_receipt_pdf_within_seconds(browser, served):
    url, case_number = served
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="es-PE", base_url=url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "tecnico")
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.goto("/workshop/")
    page.fill("input[name=query]", case_number)
    page.check("input[name=refilled][value=no]")
    page.click("form[action$='/workshop/receive'] button[type=submit]")
    page.wait_for_url(f"**/workshop/cases/{case_number}")
    received_at = time.monotonic()

    # The workshop's case page lists the receipt once the worker issued it: reload until then.
    receipt = page.locator("a", has_text="RC-")
    while receipt.count() == 0:
        elapsed = time.monotonic() - received_at
        assert elapsed < RECEIPT_WITHIN_SECONDS, f"no receipt after {elapsed:.1f} s"
        page.wait_for_timeout(250)  # a person pressing F5; the bound is the deadline above
        page.reload()
    waited = time.monotonic() - received_at
    pdf = page.request.get(receipt.first.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert case_number in text and "recepción" in text.lower()
    print(f"receipt PDF listed {waited:.1f} s after the reception")
    context.close()
