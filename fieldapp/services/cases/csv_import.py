"""CSV import of the Case Admin's case list: each row goes through intake on its own savepoint
(the file's columns and how they read: `csv_format`).

Row outcomes: imported (case number, flow, status); skipped as duplicate (case number already
registered, or the unit has an open case: the message says which); rejected with every column's
reasons, each naming its column in Spanish and by its header. Re-importing a file therefore
imports nothing twice. The rejected rows can be downloaded as a CSV with the same columns and an
`errores` column (ignored on upload), to fix and upload again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import IO

from sqlalchemy.exc import DataError

from fieldapp.domain.case_flow import Flow, Status
from fieldapp.extensions import db
from fieldapp.infra import csv_files
from fieldapp.models import ApiClient, Programme, User
from fieldapp.models.types import utcnow
from fieldapp.services.cases import csv_format, intake
from fieldapp.services.cases.csv_format import DATE_FIELDS, CsvFileError


class Outcome(StrEnum):
    """What happened to one row."""

    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


OUTCOME_LABELS = {
    Outcome.IMPORTED: "importado",
    Outcome.DUPLICATE: "duplicado",
    Outcome.REJECTED: "rechazado",
}


@dataclass
class RowResult:
    """One row's outcome; `errors` maps each CSV column to its reasons (rejected rows)."""

    row: int
    outcome: Outcome
    case_number: str
    service_number: str
    flow: Flow | None = None
    status: Status | None = None
    message: str = ""
    duplicate_of: str = ""  # the column that made it a duplicate: case_number or service_number
    errors: dict[str, list[str]] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)  # the row as it was in the file

    @property
    def reasons(self) -> list[str]:
        """The errors as 'Spanish name (column): message' lines (just the message for the row
        as a whole)."""
        return [
            f"{csv_format.column_label(k)}: {m}" if k else m
            for k, messages in self.errors.items()
            for m in messages
        ]


@dataclass
class ImportReport:
    """The outcome of one import: a file-level error (no row processed) or one result per row."""

    rows: list[RowResult] = field(default_factory=list)
    file_error: str | None = None
    encoding_note: str | None = None  # the file was converted to UTF-8 (Windows-1252, UTF-16)
    header: list[str] = field(default_factory=list)  # the header cells as in the file
    separator: str = ","

    def count(self, outcome: Outcome) -> int:
        """How many rows ended with `outcome`."""
        return sum(1 for r in self.rows if r.outcome is outcome)

    @property
    def summary(self) -> str:
        """'importados N, duplicados M, rechazados K'."""
        return (
            f"importados {self.count(Outcome.IMPORTED)}, "
            f"duplicados {self.count(Outcome.DUPLICATE)}, "
            f"rechazados {self.count(Outcome.REJECTED)}"
        )


def import_cases(
    source: str | bytes | IO,
    actor: User | ApiClient | None,
    *,
    programme: Programme | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import every row of a Case Admin CSV, each stored whole (own savepoint) or not at all.

    Bad input never raises: a file-level problem is `report.file_error`, a row's in its result.
    The caller commits.
    """
    try:
        decoded = csv_files.read(source, csv_format.MAX_BYTES)
        header, header_cells, records, separator = csv_format.parse(decoded.text)
        if programme is None and len(intake.active_programmes()) <= 1:
            programme = intake.default_programme()
    except (CsvFileError, csv_files.UnreadableFile, LookupError) as exc:
        return ImportReport(file_error=str(exc))
    # With several programmes and none chosen for the file, each row names its own.
    now = now or utcnow()
    report = ImportReport(encoding_note=decoded.note, header=header_cells, separator=separator)
    for number, cells in records:
        values = dict(zip(header, cells, strict=False))
        extra = [c for c in cells[len(header) :] if c.strip()]
        result = _import_row(number, values, extra, actor, programme, now)
        result.cells = cells
        report.rows.append(result)
    return report


def rejected_file(report: ImportReport) -> bytes:
    """The rejected rows as a CSV with the file's own columns and an `errores` column, to fix
    and upload again (see `csv_format.rejected_file`)."""
    rejected = [(r.cells, r.reasons) for r in report.rows if r.outcome is Outcome.REJECTED]
    return csv_format.rejected_file(report.header, report.separator, rejected)


def _import_row(
    number: int,
    values: dict[str, str],
    extra: list[str],
    actor: User | ApiClient | None,
    programme: Programme | None,
    now: datetime,
) -> RowResult:
    """Parse one row and open its case inside a savepoint, so a failure undoes only this row."""
    result = RowResult(
        row=number,
        outcome=Outcome.REJECTED,
        case_number=values.get("case_number", "").strip(),
        service_number=values.get("service_number", "").strip(),
    )
    data, errors = csv_format.case_input(values, now)
    code = values.get("programme", "").strip()
    if code or programme is None:
        try:
            programme = intake.programme_for(code or None)
        except LookupError as exc:
            errors.setdefault("programme", []).append(str(exc))
            programme = None
    if extra:
        errors.setdefault("", []).append(
            f"La fila tiene más columnas que el encabezado ({len(extra)} de más)."
        )
    if errors:
        # Still run the rules on the columns that did parse, so every reason shows at once.
        rules = _rule_errors(data, programme, now, skip=errors) if programme is not None else {}
        result.errors = csv_format.merge_reasons(errors, rules)
        return result
    try:
        with db.session.begin_nested():
            case = intake.open_case(data, actor, programme, now)
    except intake.IntakeError as exc:
        result.errors = csv_format.by_column(exc.errors)
    except intake.DuplicateCase as exc:
        result.outcome = Outcome.DUPLICATE
        result.message = str(exc)
        result.duplicate_of = csv_format.column_of(exc.field)
    except DataError:
        result.errors = {"": ["La base de datos rechazó un valor de la fila."]}
    else:
        result.outcome = Outcome.IMPORTED
        result.case_number = case.case_number
        result.service_number = case.unit.service_number
        result.flow = case.flow
        result.status = case.status
    return result


def _rule_errors(
    data: intake.CaseInput, programme: Programme, now: datetime, skip: dict
) -> dict[str, list[str]]:
    """Intake's errors for a row with parse errors (no date rules when a date did not parse)."""
    try:
        intake.assess(data, intake.settings_for(programme), now)
    except intake.IntakeError as exc:
        found = csv_format.by_column(exc.errors)
    else:
        return {}
    dates_failed = any(name in skip for name in DATE_FIELDS)
    return {k: m for k, m in found.items() if not (dates_failed and k in DATE_FIELDS)}
