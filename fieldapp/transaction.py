"""The one transaction boundary: a request, a CLI command or a worker job commits once, here.

Views and services change models and flush; they never commit or roll back. A web request is
committed by `_commit_or_roll_back` after the view answered below 400 and rolled back otherwise
(a 4xx/5xx answer keeps nothing it may have half-written). A view that re-renders a form with
errors after a service flushed part of a change calls `discard()`. The CLI and the worker wrap
each unit of work in `unit_of_work()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g, has_request_context

from fieldapp.extensions import db

_DISCARD = "_fieldapp_discard_transaction"
_KEEP = "_fieldapp_keep_transaction"


def discard() -> None:
    """Roll back what this request changed so far; nothing of it will be committed."""
    db.session.rollback()
    if has_request_context():
        setattr(g, _DISCARD, True)


def keep() -> None:
    """Commit this request's changes even if it answers 4xx: the refusal itself is a recorded
    outcome (a courier's sync action refused is stored, so its replay gets the same answer)."""
    setattr(g, _KEEP, True)


def discarded() -> bool:
    """Whether this request's changes were discarded."""
    return has_request_context() and bool(g.get(_DISCARD))


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, or roll all of it back if it raised (CLI and worker)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _commit_or_roll_back(response: Response) -> Response:
    kept = response.status_code < 500 and bool(g.get(_KEEP))
    if (response.status_code >= 400 and not kept) or discarded():
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as exc:  # answered like an error in the view (503 when the database is away)
        db.session.rollback()
        return current_app.make_response(current_app.handle_user_exception(exc))
    return response


def init_app(app: Flask) -> None:
    """Register the request boundary. Call it after every other `after_request` hook is
    registered: hooks run in reverse order, so the commit comes first and the others (security
    headers) see the final answer, an error page included."""
    app.after_request(_commit_or_roll_back)
