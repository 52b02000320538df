"""The server killed (SIGKILL, every process) in the middle of a courier's sync and started again:
the phone's retries end with every action applied exactly once.

The real app runs under gunicorn in a subprocess on the test's database (tests/faults/launcher.py
holds one action mid-request so the kill lands there); a client like the phone's outbox sends the
actions one by one, retrying on connection errors and 5xx until a 2xx or a final 4xx.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, Job, SyncAction
from tests import factories
from tests.conftest import CSRF_META
from tests.factories import doa_actions, published_stop, stock_unit
from tests.factories import sync_action as action
from tests.faults.conftest import closed_port

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN = 15.0  # seconds for gunicorn to answer /healthz
FINAL = {400, 404, 409, 413, 415, 422}  # what the phone's outbox.js drops from its queue


class Server:
    """gunicorn serving tests.faults.launcher:app on 127.0.0.1:<port>, in its own process group
    (master and workers), so one killpg ends them all at once."""

    def __init__(self, app, tmp_path: Path) -> None:
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "gunicorn.log"
        self.mark = tmp_path / "held"
        self.env = {
            **os.environ,
            "FAULTS_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "FAULTS_MEDIA_ROOT": app.config["MEDIA_ROOT"],
            "FAULTS_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"],
            "FAULTS_HOLD_MARK": str(self.mark),
        }
        self.process: subprocess.Popen | None = None

    def start(self, hold: str = "") -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers=2",
            "--preload",
            f"--bind=127.0.0.1:{self.port}",
            "--timeout=60",
            "tests.faults.launcher:app",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, "FAULTS_HOLD": hold},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: master and workers
            )
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                health = self.url + "/healthz"  # http://127.0.0.1 only
                with urllib.request.urlopen(health, timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gunicorn did not start:\n" + self.log.read_text())

    def kill(self) -> None:
        """SIGKILL the master and every worker, and wait until the port is closed (no process
        holding the listening socket is left)."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except ConnectionRefusedError:
                return
            time.sleep(0.02)
        raise AssertionError(f"something still listens on port {self.port}")


class Phone:
    """The outbox of courier's phone: a session cookie, and each action retried until the server
    gives it a final answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.attempts: dict[str, int] = {}

    def log_in(self, username: str) -> None:
        with self.opener.open(self.url + "/login", timeout=5) as page:
            token = CSRF_META.search(page.read().decode()).group(1)
        form = {"username": username, "password": factories.PASSWORD, "csrf_token": token}
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.url + "/login", data=data, timeout=5) as answer:
            assert "/login" not in answer.url, "login refused"

    def send(self, raw: dict) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.url + "/courier/sync",
            data=json.dumps(raw).encode(),
            headers={"Content-Type": "application/json", "Origin": self.url},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=45) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def send_until_answered(self, raw: dict, deadline: float) -> tuple[int, dict]:
        """Retry on connection errors and 5xx, like outbox.js; a 2xx or final 4xx ends it."""
        while True:
            self.attempts[raw["id"]] = self.attempts.get(raw["id"], 0) + 1
            try:
                status, body = self.send(raw)
                if status < 500 and (status < 400 or status in FINAL):
                    return status, body
            except (ConnectionError, http.client.HTTPException, urllib.error.URLError):
                pass  # the server is down or died mid-answer: the action stays queued
            assert time.monotonic() < deadline, f"action {raw['id']} never answered"
            time.sleep(0.05)

    def send_all_in_background(self, actions: list[dict], seconds: float):
        """A started thread that sends `actions` in order, each until answered, within `seconds`;
        returns (the thread, the answers by action id, what it raised: for the assertions)."""
        answers: dict[str, tuple[int, dict]] = {}
        failures: list[BaseException] = []

        def work_through_the_queue() -> None:
            deadline = time.monotonic() + seconds
            try:
                for raw in actions:
                    answers[raw["id"]] = self.send_until_answered(raw, deadline)
            except BaseException as exc:  # reported by the test's assertions
                failures.append(exc)

        thread = threading.Thread(target=work_through_the_queue, daemon=True)
        thread.start()
        return thread, answers, failures


def photos_per_job() -> dict[int, int]:
    """How many photos the server keeps of each job."""
    return dict(
        db.session.execute(
            select(Attachment.job_id, func.count())
            .where(Attachment.kind == "photo")
            .group_by(Attachment.job_id)
        ).all()
    )


@pytest.fixture
def server(app, tmp_path):
    running = Server(app, tmp_path)
    yield running
    running.kill()


def count(stmt) -> int:
    rows = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    db.session.commit()  # end the read: on SQLite an open transaction would hold up the server
    return rows


@pytest.mark.parametrize("when", ["before_commit", "after_commit"])
def test_a_server_killed_mid_sync_and_restarted_applies_each_action_once(app, server, when):
    courier = factories.user(Role.COURIER, username="carlos")
    first, second = published_stop(courier), published_stop(courier)
    stock_unit("C765432"), stock_unit("C765433")
    actions = doa_actions(first, "C765432") + doa_actions(second, "C765433")
    # A second photo of the first stop is the one held mid-request: a duplicate would be a third.
    held = action(first, "photo", purpose="unit_condition", data=actions[2]["payload"]["data"])
    actions.insert(3, held)
    photos = [raw for raw in actions if raw["type"] == "photo"]
    first_id, second_id = first.id, second.id
    db.session.commit()
    db.session.close()

    server.start(hold=f"{when}:{held['id']}")
    phone = Phone(server.url)
    phone.log_in("carlos")
    worker, answers, failures = phone.send_all_in_background(actions, 40)
    deadline = time.monotonic() + 20
    while not server.mark.exists():
        assert time.monotonic() < deadline and not failures, failures or "the hold never began"
        time.sleep(0.02)
    server.kill()
    # Killed in the middle: before the commit nothing of the action is kept; after it, all is.
    kept = count(select(SyncAction).where(SyncAction.client_id == held["id"]))
    assert kept == (1 if when == "after_commit" else 0)
    server.mark.unlink()
    server.start()
    worker.join(45)

    assert not worker.is_alive() and not failures, failures
    assert phone.attempts[held["id"]] >= 2  # the held action really was retried
    assert {raw["id"]: answers[raw["id"]][0] for raw in actions} == {
        raw["id"]: 200 for raw in actions
    }
    assert answers[held["id"]][1].get("replayed", False) is (when == "after_commit")
    rows = db.session.execute(select(SyncAction.client_id, SyncAction.status_code)).all()
    assert sorted(rows) == sorted((raw["id"], 200) for raw in actions)
    per_job = photos_per_job()
    assert per_job == {first_id: 2, second_id: 1}
    assert sum(per_job.values()) == len(photos)
    for job_id in (first_id, second_id):
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.DONE
        assert job.case.status is Status.SWAPPED
    db.session.commit()
