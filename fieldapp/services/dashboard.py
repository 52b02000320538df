"""The supervisor's dashboard: loads plain rows and hands them to `domain.dashboard`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from fieldapp.domain import dashboard as figures
from fieldapp.domain.case_flow import FLOW_LABELS, TERMINAL, Flow
from fieldapp.domain.charts import Bar, bar_chart
from fieldapp.domain.dashboard import CourierJobs, DeadlineRow, Rate
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.stock import PartStatus
from fieldapp.extensions import db
from fieldapp.models import Case, CaseDeadline, Job, Route, SparePart, Unit, User
from fieldapp.models.types import utcnow


@dataclass(frozen=True)
class Dashboard:
    """Every figure and chart of the dashboard."""

    by_flow: list[Rate]
    by_week: list[Rate]
    risk: dict[Urgency, list[DeadlineRow]]
    couriers: list[CourierJobs]
    doa_rates: list[Rate]
    parts: list[Rate]
    parts_used: int
    parts_recorded: int
    charts: dict[str, Markup]


def _of(stmt, programme_id: int | None):
    """`stmt` (which involves Case) narrowed to one programme's cases when one is given."""
    return stmt if programme_id is None else stmt.where(Case.programme_id == programme_id)


def deadline_rows(programme_id: int | None = None) -> list[DeadlineRow]:
    """Every case deadline (of `programme_id`'s cases when given) as a plain row."""
    rows = db.session.execute(
        _of(
            select(
                Case.case_number,
                Case.flow,
                Case.status,
                CaseDeadline.name,
                CaseDeadline.starts_at,
                CaseDeadline.due_at,
                CaseDeadline.done_at,
            ).join(Case, CaseDeadline.case_id == Case.id),
            programme_id,
        )
    ).all()
    return [
        DeadlineRow(number, flow.value, name, starts, due, done, status not in TERMINAL)
        for number, flow, status, name, starts, due, done in rows
    ]


def _percent_bars(rates: list[Rate], label=lambda rate: rate.label) -> list[Bar]:
    return [
        Bar(label(rate), rate.percent, f"{rate.percent:g} % ({rate.met}/{rate.total})")
        for rate in rates
    ]


def _flow_label(rate: Rate) -> str:
    return FLOW_LABELS[Flow(rate.label)]


def build(now: datetime | None = None, programme_id: int | None = None) -> Dashboard:
    """All the dashboard's figures at `now` (of one programme's cases when given)."""
    now = now or utcnow()
    rows = deadline_rows(programme_id)
    by_flow = figures.met_by_flow(rows, now)
    by_week = figures.met_by_week(rows, now)
    couriers = figures.jobs_per_courier(
        db.session.execute(
            _of(
                select(User.full_name, Job.status)
                .join(Route, Job.route_id == Route.id)
                .join(User, Route.courier_id == User.id)
                .join(Case, Job.case_id == Case.id),
                programme_id,
            )
        ).all()
    )
    doa_rates = figures.doa_rate_by_model(
        (model, kind.value)
        for model, kind in db.session.execute(
            _of(select(Unit.model, Case.kind).join(Unit), programme_id)
        ).all()
    )
    parts, used, recorded = figures.parts_reused(
        (name, status is PartStatus.USED)
        for name, status in db.session.execute(select(SparePart.name, SparePart.status)).all()
    )
    charts = {
        "by_flow": bar_chart(
            _percent_bars(by_flow, _flow_label), "Plazos cumplidos por flujo (%)", 100
        ),
        "by_week": bar_chart(
            _percent_bars(by_week, lambda r: f"Sem. {r.label}"),
            "Plazos cumplidos por semana (%)",
            100,
        ),
        "couriers": bar_chart(
            [Bar(c.courier, c.total, f"{c.done} hechos, {c.failed} fallidos") for c in couriers],
            "Visitas por courier",
        ),
        "doa": bar_chart(_percent_bars(doa_rates), "Tasa DOA por modelo (%)", 100),
    }
    return Dashboard(
        by_flow=by_flow,
        by_week=by_week,
        risk=figures.at_risk_now(rows, now),
        couriers=couriers,
        doa_rates=doa_rates,
        parts=parts,
        parts_used=used,
        parts_recorded=recorded,
        charts={name: Markup(svg) for name, svg in charts.items()},  # noqa: S704 (escaped)
    )
