"""The supervisor's dashboard: loads plain rows and hands them to `domain.dashboard`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from fieldapp.domain import dashboard
from fieldapp.domain.case_flow import FLOW_LABELS, TERMINAL, Flow
from fieldapp.domain.charts import Bar, bar_chart
from fieldapp.domain.dashboard import CourierJobs, DeadlineRow, Rate
from fieldapp.domain.deadlines import DeadlineName, Urgency
from fieldapp.domain.jobs import DEADLINE_FOR
from fieldapp.domain.stock import PartStatus
from fieldapp.domain.wording import count
from fieldapp.extensions import db
from fieldapp.models import Case, CaseDeadline, Job, Repair, Route, SparePart, Unit, User
from fieldapp.models.types import utcnow


@dataclass(frozen=True)
class Dashboard:
    """Every figure and chart of the dashboard."""

    by_flow: list[Rate]
    by_week: list[Rate]
    risk: dict[Urgency, list[DeadlineRow]]
    holders: dict[tuple[str, str], dashboard.Holder]  # (case number, deadline) -> who acts
    couriers: list[CourierJobs]
    doa_rates: list[Rate]
    parts: list[Rate]
    parts_used: int
    parts_recorded: int
    charts: dict[str, Markup]


def _of(stmt, programme_id: int | None, branch_id: int | None = None):
    """`stmt` (which involves Case) narrowed to one programme's cases and to the cases one
    branch serves, when given."""
    if programme_id is not None:
        stmt = stmt.where(Case.programme_id == programme_id)
    if branch_id is not None:
        stmt = stmt.where(Case.branch_id == branch_id)
    return stmt


def deadline_rows(
    programme_id: int | None = None, branch_id: int | None = None
) -> list[DeadlineRow]:
    """Every case deadline (of `programme_id`'s cases, of those `branch_id` serves, when given)
    as a plain row."""
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
            branch_id,
        )
    ).all()
    return [
        DeadlineRow(number, flow.value, name, starts, due, done, status not in TERMINAL)
        for number, flow, status, name, starts, due, done in rows
    ]


def _percent_bars(rates: list[Rate], label=lambda rate: rate.label) -> list[Bar]:
    """A bar per rate; a rate with nothing to count says "sin datos" (not a 0 % bar)."""
    return [
        Bar(label(rate), rate.percent, f"{rate.percent:g} % ({rate.met}/{rate.total})")
        if rate.total
        else Bar(label(rate), 0.0, "sin datos", empty=True)
        for rate in rates
    ]


def holders(rows: list[DeadlineRow]) -> dict[tuple[str, str], dashboard.Holder]:
    """Who holds the work of each listed deadline: the courier of its visit, dispatch, the
    supervisor or the workshop, with the visit to link to."""
    numbers = {row.case_number for row in rows}
    if not numbers:
        return {}
    cases = {
        case.case_number: case
        for case in db.session.scalars(select(Case).where(Case.case_number.in_(numbers)))
    }
    found = {}
    for row in rows:
        case = cases[row.case_number]
        if row.name == DeadlineName.REPAIR:
            repair = db.session.scalar(select(Repair).where(Repair.case_id == case.id))
            person_id = repair and (repair.technician_id or repair.received_by_id)
            person = db.session.get(User, person_id) if person_id else None
            found[(row.case_number, row.name)] = dashboard.holder(
                DeadlineName.REPAIR, None, technician=person.full_name if person else None
            )
            continue
        job = db.session.scalar(
            select(Job)
            .where(
                Job.case_id == case.id,
                Job.kind.in_([k for k, n in DEADLINE_FOR.items() if n == row.name]),
            )
            .order_by(Job.id.desc())
        )
        route = db.session.get(Route, job.route_id) if job and job.route_id else None
        made = dashboard.holder(
            row.name,
            job.status.value if job else None,
            courier=route.courier.full_name if route else None,
            published=route is not None and route.published_at is not None,
        )
        found[(row.case_number, row.name)] = dashboard.Holder(made.who, job.id if job else None)
    return found


def _flow_label(rate: Rate) -> str:
    return FLOW_LABELS[Flow(rate.label)]


def build(
    now: datetime | None = None, programme_id: int | None = None, branch_id: int | None = None
) -> Dashboard:
    """All the dashboard's figures at `now` (of one programme's cases, of the cases one branch
    serves, when given; the reused parts are the workshop's, of every branch)."""
    now = now or utcnow()
    rows = deadline_rows(programme_id, branch_id)
    by_flow = dashboard.met_by_flow(rows, now)
    by_week = dashboard.met_by_week(rows, now)
    couriers = dashboard.jobs_per_courier(
        db.session.execute(
            _of(
                select(User.full_name, Job.status)
                .join(Route, Job.route_id == Route.id)
                .join(User, Route.courier_id == User.id)
                .join(Case, Job.case_id == Case.id),
                programme_id,
                branch_id,
            )
        ).all()
    )
    doa_rates = dashboard.doa_rate_by_model(
        (model, kind.value)
        for model, kind in db.session.execute(
            _of(select(Unit.model, Case.kind).join(Unit), programme_id, branch_id)
        ).all()
    )
    parts, used, recorded = dashboard.parts_reused(
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
            [
                Bar(
                    c.courier,
                    c.total,
                    f"{count(c.done, 'hecha', 'hechas')}, {count(c.failed, 'fallida', 'fallidas')}",
                )
                for c in couriers
            ],
            "Visitas por courier",
        ),
        "doa": bar_chart(_percent_bars(doa_rates), "Tasa DOA por modelo (%)", 100),
    }
    risk = dashboard.at_risk_now(rows, now)
    return Dashboard(
        by_flow=by_flow,
        by_week=by_week,
        risk=risk,
        holders=holders([row for listed in risk.values() for row in listed]),
        couriers=couriers,
        doa_rates=doa_rates,
        parts=parts,
        parts_used=used,
        parts_recorded=recorded,
        charts={name: Markup(svg) for name, svg in charts.items()},  # noqa: S704 (escaped)
    )
