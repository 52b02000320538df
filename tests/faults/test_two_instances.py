"""More than one server: two gunicorn instances on different ports share one PostgreSQL and one
Redis, with one worker process. A courier's phone and the Call Center go through both (as behind
a load balancer); one instance is killed in the middle of a sync and the phone fails over to the
other. Afterwards: no action lost or applied twice, no case opened twice, every document issued
exactly once by the worker, and login throttling counted across both instances.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case, Document, DocumentRequest, Job, SyncAction
from fieldapp.services.accounts import login_throttle
from tests import factories
from tests.api.conftest import API_KEY
from tests.conftest import CSRF_META, on_postgres
from tests.factories import doa_actions, published_stop, stock_unit
from tests.factories import sync_action as action
from tests.faults.conftest import closed_port
from tests.faults.test_server_killed import ROOT, Phone, Server, photos_per_job

pytestmark = pytest.mark.postgres

STOPS = 4
CASES = 6


@pytest.fixture
def redis(tmp_path):
    """A Redis server of the test's own on a free loopback port (Debian's redis-server)."""
    if not on_postgres():
        pytest.skip("the two-instance test runs on the PostgreSQL pass (DATABASE_URL)")
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: .ci/run installs it")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = closed_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis as redis_client

    client = redis_client.Redis.from_url(url)
    deadline = time.monotonic() + 15
    while True:
        try:
            client.ping()
            break
        except redis_client.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    client.close()
    yield url
    process.terminate()
    process.wait(10)


class Worker:
    """`flask --app tests.faults.launcher:app worker`: the one worker of both instances."""

    def __init__(self, env: dict, log: Path) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tests.faults.launcher:app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class Balancer(Phone):
    """The phone behind a load balancer: actions go round-robin to the instances; an instance
    that does not answer (killed) is skipped, so the retry lands on the other one."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(urls[0])
        self.urls = urls
        self.turn = 1  # so the fourth request (the held action) lands on urls[0]

    def send(self, raw: dict) -> tuple[int, dict]:
        self.url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        return super().send(raw)


def _post_case(url: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url + "/api/v1/cases",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _case_body(n: int) -> dict:
    return {
        "case_number": f"KCC-77{n:04d}",
        "service_number": f"T77{n:04d}",
        "received_at": "2026-11-30T10:00:00-05:00",
        "purchase_date": "2026-10-01",
        "customer": {
            "name": "Cliente Prueba",
            "phone": "987654321",
            "document_id": f"4{n:07d}",
            "address": "Av. Arequipa 1234",
            "ubigeo": "150122",
        },
    }


def _login_status(url: str, username: str, password: str) -> int:
    """The status of one login attempt from a new browser."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(url + "/login", timeout=5) as page:
        token = CSRF_META.search(page.read().decode()).group(1)
    form = {"username": username, "password": password, "csrf_token": token}
    try:
        with opener.open(url + "/login", data=urlencode(form).encode(), timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_two_instances_one_worker_nothing_lost_or_doubled(app, redis, tmp_path):
    courier = factories.user(Role.COURIER, username="carlos")
    factories.user(Role.DISPATCHER, username="diana")
    factories.api_client(API_KEY)
    stops = [published_stop(courier) for _ in range(STOPS)]
    actions: list[dict] = []
    for n, stop in enumerate(stops):
        stock_unit(f"C8{n:05d}")
        actions += doa_actions(stop, f"C8{n:05d}")
    # A second photo of the first stop is held mid-request on instance A, then A is killed.
    held = action(stops[0], "photo", purpose="unit_condition", data=actions[2]["payload"]["data"])
    actions.insert(3, held)
    stop_ids = [s.id for s in stops]
    db.session.commit()
    db.session.close()

    a, b = Server(app, tmp_path / "a"), Server(app, tmp_path / "b")
    for server in (a, b):
        server.log.parent.mkdir(exist_ok=True)
        server.env["FAULTS_REDIS_URL"] = redis
    worker = Worker({**a.env, "FAULTS_REDIS_URL": redis}, tmp_path / "worker.log")
    try:
        a.start(hold=f"before_commit:{held['id']}")
        b.start()
        phone = Balancer([a.url, b.url])
        phone.log_in("carlos")  # one session cookie, good on both (same key, same host)
        syncing, answers, failures = phone.send_all_in_background(actions, 90)
        # Meanwhile the Call Center opens cases through both instances (each sent twice).
        statuses = [_post_case((a.url, b.url)[n % 2], _case_body(n)) for n in range(CASES)]
        _wait_until(a.mark.exists, 30, "the held action on instance A")
        a.kill()  # mid-sync: the held action was applied and flushed, never committed
        statuses += [_post_case(b.url, _case_body(n)) for n in range(CASES)]
        syncing.join(120)
        assert not syncing.is_alive() and not failures, failures

        # Login throttling is one count for both instances (in Redis): the free failures of an
        # account from one address are spent across A and B, and the next try waits on either.
        a.start()
        free = login_throttle.FREE_FAILURES
        seen = [
            _login_status((a.url, b.url)[n % 2], "diana", "wrong-password") for n in range(free + 1)
        ]
        assert seen[:free] == [200] * free  # the form again, with its message
        assert seen[free] == 429, seen

        # Every document requested is issued once, by the one worker.
        def all_issued() -> bool:
            waiting = db.session.scalar(
                select(func.count(DocumentRequest.id)).where(DocumentRequest.done_at.is_(None))
            )
            db.session.commit()
            return waiting == 0

        _wait_until(all_issued, 90, "the worker to issue every document")
    finally:
        a.kill()
        b.kill()
        worker.stop()

    assert statuses[:CASES] == [201] * CASES and statuses[CASES:] == [409] * CASES
    opened = select(func.count(Case.id)).where(Case.case_number.like("KCC-77%"))
    assert db.session.scalar(opened) == CASES
    assert phone.attempts[held["id"]] >= 2  # the held action was retried, on instance B
    assert {raw["id"]: answers[raw["id"]][0] for raw in actions} == {
        raw["id"]: 200 for raw in actions
    }
    rows = db.session.execute(select(SyncAction.client_id, SyncAction.status_code)).all()
    assert sorted(rows) == sorted((raw["id"], 200) for raw in actions)  # 0 lost, 0 doubled
    photos = photos_per_job()
    assert photos == {stop_ids[0]: 2, **{i: 1 for i in stop_ids[1:]}}
    for job_id in stop_ids:
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.DONE and job.case.status is Status.SWAPPED
    requests = db.session.scalar(select(func.count(DocumentRequest.id)))
    issued = db.session.execute(select(Document.request_id, Document.number)).all()
    assert requests >= STOPS and len(issued) == requests
    assert len({r for r, _ in issued}) == len(issued)  # one document per request
    assert len({n for _, n in issued}) == len(issued)  # no number given twice
    db.session.commit()
