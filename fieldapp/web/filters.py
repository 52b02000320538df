"""Jinja filters: times shown in America/Lima, enum values shown with their Spanish labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from fieldapp.domain.case_flow import FLOW_LABELS, STATUS_LABELS
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import FAILURE_LABELS, JOB_KIND_LABELS, JOB_STATUS_LABELS
from fieldapp.domain.roles import ROLE_LABELS

_LABELS: dict = {
    **STATUS_LABELS,
    **FLOW_LABELS,
    **JOB_KIND_LABELS,
    **JOB_STATUS_LABELS,
    **FAILURE_LABELS,
    **ROLE_LABELS,
}


def lima_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An aware datetime as Lima local time ('' for None)."""
    return value.astimezone(LIMA_TZ).strftime(fmt) if value else ""


def short_date(value: date | None) -> str:
    """A date as dd/mm/yyyy ('' for None)."""
    return value.strftime("%d/%m/%Y") if value else ""


def label(value) -> str:
    """The Spanish label of an enum member, or the value itself."""
    return _LABELS.get(value, str(value) if value is not None else "")


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(lima_datetime, "lima")
    app.add_template_filter(short_date, "dmy")
    app.add_template_filter(label, "label")
