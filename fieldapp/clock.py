"""The app's clock: the current time, which a test (or a demo) can set with the CLOCK setting."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context

from fieldapp.models.types import utcnow


def now() -> datetime:
    """The current time, aware UTC: `CLOCK()` when the app has one set, else the real clock."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else utcnow()
