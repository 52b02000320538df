"""One transaction boundary: only `fieldapp/transaction.py` and the worker package commit or roll
back; a request that answers 4xx/5xx keeps nothing it wrote."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import User
from fieldapp.services.accounts import users
from fieldapp.transaction import keep
from fieldapp.web.guard import public
from tests import factories

PACKAGE = Path(__file__).parents[1] / "fieldapp"
ALLOWED = {PACKAGE / "transaction.py"}
COMMIT_OR_ROLLBACK = re.compile(r"\.(commit|rollback)\(\)")


def test_only_the_boundary_and_the_worker_commit_or_roll_back():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path not in ALLOWED and "worker" not in path.relative_to(PACKAGE).parts
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if COMMIT_OR_ROLLBACK.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_a_request_commits_below_400_and_keeps_nothing_on_an_error(app):
    """Each test route writes a user and flushes, then answers with the given status."""

    def writer(username: str, status: int, kept: bool = False):
        @public
        def view():
            users.create_user(username, factories.PASSWORD, Role.ADMIN)
            db.session.flush()
            if kept:
                keep()
            return username, status

        view.__name__ = f"write_{username}"
        app.add_url_rule(f"/test/{username}", view_func=view, methods=["POST"])

    writer("answered", 200)
    writer("moved", 303)
    writer("refused", 409)
    writer("broken", 500)
    writer("recorded", 422, kept=True)
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    for name in ("answered", "moved", "refused", "broken", "recorded"):
        client.post(f"/test/{name}")
    stored = set(db.session.scalars(select(User.username)))
    assert stored == {"answered", "moved", "recorded"}
