"""The monthly statement for invoicing a manufacturer: one programme's cases closed in a month
(of every branch, or of the cases one branch served), by service number."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fieldapp.domain.case_flow import FLOW_LABELS, Flow, Status
from fieldapp.domain.deadlines import LIMA_TZ, DeadlineName, met_in_time
from fieldapp.extensions import db
from fieldapp.infra import csv_files, pdf_render
from fieldapp.models import Branch, Case, Programme
from fieldapp.models.types import FIRST_DATE, LAST_DATE, utcnow

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HEADER = [
    "N.º de servicio",
    "N.º de caso",
    "Flujo",
    "Modelo",
    "Recibido",
    "Equipo en taller",
    "Cambio / reparación",
    "Cerrado",
    "Plazo cumplido",
]


class StatementError(ValueError):
    """A bad month (message in Spanish)."""


@dataclass(frozen=True)
class Row:
    """One closed case on the statement."""

    service_number: str
    case_number: str
    flow: Flow
    model: str | None
    received_at: datetime
    unit_received_at: datetime | None
    served_at: datetime | None  # the swap or the repair
    closed_at: datetime
    deadline_met: bool


@dataclass(frozen=True)
class Statement:
    """A month's statement with its totals."""

    month: str
    rows: list[Row]
    by_flow: dict[Flow, int]
    met: int
    programme: str = ""  # the programme's name (a statement is one manufacturer's invoice)
    programme_code: str = ""
    branch: str = ""  # the branch's name (empty: every branch)
    branch_code: str = ""

    @property
    def total(self) -> int:
        """Closed cases in the month."""
        return len(self.rows)

    @property
    def met_percent(self) -> float:
        """Cases closed with every deadline met, in percent."""
        return round(100 * self.met / self.total, 1) if self.total else 0.0


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the next one, in Lima.

    :raises StatementError: unless `month` is YYYY-MM.
    """
    match = _MONTH.match((month or "").strip())
    if not match:
        raise StatementError("Use el formato AAAA-MM, p. ej. 2026-11.")
    year, number = int(match[1]), int(match[2])
    if not FIRST_DATE.year <= year <= LAST_DATE.year:
        raise StatementError(
            f"Use el formato AAAA-MM con un año entre {FIRST_DATE.year} y {LAST_DATE.year}."
        )
    start = datetime(year, number, 1, tzinfo=LIMA_TZ)
    following = date(year + number // 12, number % 12 + 1, 1)
    return start, datetime.combine(following, datetime.min.time(), tzinfo=LIMA_TZ)


def _served_at(case: Case) -> datetime | None:
    if case.repaired_at is not None:
        return case.repaired_at
    swap = next((d for d in case.deadlines if d.name == DeadlineName.SWAP), None)
    return swap.done_at if swap is not None else None


def build(
    month: str, programme: Programme | None = None, branch: Branch | None = None
) -> Statement:
    """The cases of `programme` (every programme's when None) served by `branch` (every
    branch's when None) closed in `month` (Lima time), ordered by service number, with totals.

    :raises StatementError: for a bad month.
    """
    start, end = month_bounds(month)
    stmt = select(Case).where(
        Case.status == Status.CLOSED, Case.closed_at >= start, Case.closed_at < end
    )
    if programme is not None:
        stmt = stmt.where(Case.programme_id == programme.id)
    if branch is not None:
        stmt = stmt.where(Case.branch_id == branch.id)
    cases = db.session.scalars(
        stmt.options(selectinload(Case.unit), selectinload(Case.deadlines))
    ).all()
    rows = sorted(
        (
            Row(
                service_number=case.unit.service_number,
                case_number=case.case_number,
                flow=case.flow,
                model=case.unit_model,
                received_at=case.received_at,
                unit_received_at=case.unit_received_at,
                served_at=_served_at(case),
                closed_at=case.closed_at,
                deadline_met=all(
                    d.done_at is not None and met_in_time(d.due_at, d.done_at)
                    for d in case.deadlines
                ),
            )
            for case in cases
        ),
        key=lambda row: (row.service_number, row.case_number),
    )
    by_flow = Counter(row.flow for row in rows)
    return Statement(
        month=month.strip(),
        rows=rows,
        by_flow=dict(sorted(by_flow.items())),
        met=sum(row.deadline_met for row in rows),
        programme=programme.name if programme is not None else "",
        programme_code=programme.code if programme is not None else "",
        branch=branch.name if branch is not None else "",
        branch_code=branch.code if branch is not None else "",
    )


def _when(value: datetime | None) -> str:
    return value.astimezone(LIMA_TZ).strftime("%d/%m/%Y %H:%M") if value else ""


def to_csv(statement: Statement) -> bytes:
    """The statement as CSV (UTF-8 with BOM so spreadsheets read the accents), totals last."""
    rows = [
        [
            csv_files.text_cell(value)
            for value in (
                row.service_number,
                row.case_number,
                FLOW_LABELS[row.flow],
                row.model or "",
                _when(row.received_at),
                _when(row.unit_received_at),
                _when(row.served_at),
                _when(row.closed_at),
                "sí" if row.deadline_met else "no",
            )
        ]
        for row in statement.rows
    ]
    rows.append([])
    rows.extend(["Total", FLOW_LABELS[flow], count] for flow, count in statement.by_flow.items())
    rows.append(["Total", "Casos cerrados", statement.total])
    rows.append(["Total", "Plazo cumplido", statement.met, f"{statement.met_percent:g} %"])
    return csv_files.write(HEADER, rows)


def to_pdf(statement: Statement) -> bytes:
    """The statement as PDF (WeasyPrint, no external resources)."""
    config = current_app.config
    return pdf_render.render(
        "statement",
        statement=statement,
        flow_labels=FLOW_LABELS,
        when=_when,
        st_name=config.get("ST_NAME"),
        st_ruc=config.get("ST_RUC"),
        generated_at=utcnow(),
    )
