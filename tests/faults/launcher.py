"""The real app for the fault tests, served by gunicorn in a subprocess
(`gunicorn tests.faults.launcher:app`), with a test-only hook that holds one courier sync action
in the middle of its request so the test can kill the server right there.

Environment:
- FAULTS_DATABASE_URI, FAULTS_MEDIA_ROOT, FAULTS_OUTBOX_DIR: where the app keeps its data.
- FAULTS_HOLD: `before_commit:<action id>` holds that action applied and flushed but not committed;
  `after_commit:<action id>` holds it committed, before its answer leaves the server.
- FAULTS_HOLD_MARK: a file written when the hold starts (the test waits for it, then kills).
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

from fieldapp import create_app
from fieldapp.services.courier import sync

SECRET_KEY = "faults-only-secret-key-0123456789abcdefghijklmnop"
HOLD_SECONDS = 30  # far longer than the test needs to kill the server


def _hold() -> None:
    """Say the hold started, then wait to be killed."""
    Path(os.environ["FAULTS_HOLD_MARK"]).write_text(str(os.getpid()))
    time.sleep(HOLD_SECONDS)


def _hold_before_commit(action_id: str) -> None:
    """Wrap courier_sync.apply: the action is applied and flushed, the request has not committed."""
    apply = sync.apply

    def holding_apply(user, raw):
        answer = apply(user, raw)
        if isinstance(raw, dict) and raw.get("id") == action_id:
            _hold()
        return answer

    sync.apply = holding_apply


class HoldAfterCommit:
    """WSGI middleware: the request runs to the end (committed), then its answer is held."""

    def __init__(self, app, action_id: str) -> None:
        self.app, self.action_id = app, action_id

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/courier/sync":
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        started = []
        answered = self.app(environ, lambda *args: started.append(args))
        try:
            chunks = b"".join(answered)
        finally:
            if hasattr(answered, "close"):
                answered.close()
        try:
            held = json.loads(body).get("id") == self.action_id
        except (ValueError, AttributeError):
            held = False
        if held:
            _hold()
        start_response(*started[0])
        return [chunks]


def build():
    """The app on the test's database, with the hold FAULTS_HOLD asks for (if any); the job
    queue and login throttling on the Redis that FAULTS_REDIS_URL names, when set."""
    config = {
        "FIELDAPP_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": os.environ["FAULTS_DATABASE_URI"],
        "MEDIA_ROOT": os.environ["FAULTS_MEDIA_ROOT"],
        "MAIL_OUTBOX_DIR": os.environ["FAULTS_OUTBOX_DIR"],
    }
    redis = os.environ.get("FAULTS_REDIS_URL")
    if redis:
        config.update(QUEUE_URL=redis, RATELIMIT_STORAGE_URI=redis)
    app = create_app(config)
    when, _, action_id = os.environ.get("FAULTS_HOLD", "").partition(":")
    if when == "before_commit":
        _hold_before_commit(action_id)
    elif when == "after_commit":
        app.wsgi_app = HoldAfterCommit(app.wsgi_app, action_id)
    return app


app = build()
