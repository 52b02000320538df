"""CSV import of the Case Admin's case list: each row goes through intake on its own savepoint.

The file: UTF-8 with or without BOM (Excel's "CSV UTF-8"), or Excel's plain "CSV" in
Windows-1252 or "Texto Unicode" in UTF-16 (converted, and the report says so; see csv_files),
separated by `,`, `;` (Excel in Spanish) or tabs, LF or CRLF, one header row; at most MAX_ROWS
rows and MAX_BYTES bytes. Headers match ignoring case, spaces and hyphens; blank header cells
are ignored; an unknown or missing required header refuses the whole file before any row is read.
Empty rows are skipped; row numbers are the file's (the header is row 1).

Columns (* = required header): case_number*, service_number* (T/C + 6 digits), product_type
(printer by default, or camera; impresora / cámara too), model, purchase_date* and failure_date
(YYYY-MM-DD or DD/MM/YYYY; no failure date = the received date), received_at (ISO 8601 or
"DD/MM/YYYY HH:MM", Lima time when no offset; empty = now), origin (call_center by default,
store / tienda, st_counter / mostrador), store_name, store_address, store_ubigeo, customer_name*,
customer_phone, customer_email, customer_document_id, customer_address, customer_ubigeo* (a
5-digit UBIGEO, whose leading zero Excel dropped, is left-padded), proof_type (boleta / factura),
proof_number.

Row outcomes: imported (case number, flow, status); skipped as duplicate (case number already
registered, or the unit has an open case: the message says which); rejected with every column's
reasons, each naming its column in Spanish and by its header. Re-importing a file therefore
imports nothing twice. The rejected rows can be downloaded as a CSV with the same columns and an
`errores` column (ignored on upload), to fix and upload again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import IO

from sqlalchemy.exc import DataError

from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ, lima_date
from fieldapp.extensions import db
from fieldapp.infra import csv_files
from fieldapp.models import ApiClient, Programme, User
from fieldapp.models.types import utcnow
from fieldapp.services.cases import intake

MAX_ROWS = 5000
MAX_BYTES = 4 * 1024 * 1024
SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class Column:
    """One column of the import file, as documented on the upload page."""

    name: str
    label: str
    required: bool = False
    hint: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "programme",
        "Programa de garantía",
        False,
        "código del programa (p. ej. kodak-inkjet); vacío: el elegido al subir el archivo",
    ),
    Column("case_number", "Número de caso del Call Center", True, "p. ej. KCC-2026-0110451"),
    Column("service_number", "Número de servicio", True, "con el formato del programa (T481203)"),
    Column("product_type", "Tipo de producto", False, "printer (por defecto) o camera"),
    Column("model", "Modelo", False, "p. ej. ESP 3.2"),
    Column("purchase_date", "Fecha de compra", True, "AAAA-MM-DD o DD/MM/AAAA"),
    Column("failure_date", "Fecha de falla", False, "vacía: la fecha de recepción"),
    Column("received_at", "Recibido por el ST", False, "DD/MM/AAAA HH:MM (hora de Lima) o ISO"),
    Column("origin", "Origen", False, "call_center (por defecto), store o st_counter"),
    Column("store_name", "Tienda", False, "solo si el caso se generó en una tienda"),
    Column("store_address", "Dirección de la tienda"),
    Column("store_ubigeo", "UBIGEO de la tienda", False, "6 dígitos"),
    Column("customer_name", "Nombre del cliente", True),
    Column("customer_phone", "Teléfono del cliente"),
    Column("customer_email", "Correo del cliente"),
    Column("customer_document_id", "DNI / CE del cliente"),
    Column("customer_address", "Dirección del cliente"),
    Column("customer_ubigeo", "UBIGEO del cliente", True, "6 dígitos (70101 se lee 070101)"),
    Column("proof_type", "Tipo de comprobante", False, "boleta o factura"),
    Column("proof_number", "Número de comprobante"),
)
KNOWN = {c.name for c in COLUMNS}
REQUIRED = [c.name for c in COLUMNS if c.required]
LABELS = {c.name: c.label for c in COLUMNS}
ERRORS_COLUMN = "errores"  # added to the rejected rows' file; ignored when uploaded again

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DMY_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MIDNIGHT = re.compile(r"[ T]00:00(:00)?$")
_ORIGINS = {
    **{o.value: o for o in Origin},
    "": Origin.CALL_CENTER,
    "callcenter": Origin.CALL_CENTER,
}
_ORIGINS.update(tienda=Origin.STORE, mostrador=Origin.ST_COUNTER)
_PRODUCTS = {"": "printer", "impresora": "printer", "camara": "camera", "cámara": "camera"}
_DATE_FIELDS = ("purchase_date", "failure_date", "received_at")


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
            f"{_named(k)}: {m}" if k else m for k, messages in self.errors.items() for m in messages
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


class CsvFileError(ValueError):
    """The file as a whole cannot be imported (encoding, size, headers, row count)."""


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
        decoded = csv_files.read(source, MAX_BYTES)
        header, header_cells, records, separator = _parse(decoded.text)
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
    and upload again (an `errores` column already there is replaced)."""
    keep = [i for i, cell in enumerate(report.header) if _key(cell) != ERRORS_COLUMN]
    rows = [
        [row.cells[i] if i < len(row.cells) else "" for i in keep] + [" | ".join(row.reasons)]
        for row in report.rows
        if row.outcome is Outcome.REJECTED
    ]
    header = [report.header[i] for i in keep] + [ERRORS_COLUMN]
    return csv_files.write(header, rows, report.separator)


def template_file() -> bytes:
    """An empty import file: the header row with every column, in the documented order."""
    return csv_files.write([c.name for c in COLUMNS], [])


def _named(column: str) -> str:
    """'Fecha de compra (purchase_date)' for a column of the file."""
    return f"{LABELS[column]} ({column})" if column in LABELS else column


def _parse(text: str) -> tuple[list[str], list[str], list[tuple[int, list[str]]], str]:
    """The normalised header, the header cells as written, the non-empty rows with their row
    numbers (the header is row 1), and the separator.

    :raises CsvFileError: for a missing, unknown or repeated header, no rows, or too many rows.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        raise CsvFileError(f"El archivo no es un CSV válido: {exc}.") from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CsvFileError("El archivo está vacío: falta la fila de encabezados.")
    header = [_key(cell) for cell in rows[0]]
    header = ["" if h == ERRORS_COLUMN else h for h in header]
    named = [h for h in header if h]
    unknown = [h for h in named if h not in KNOWN]
    missing = [_named(h) for h in REQUIRED if h not in named]
    repeated = sorted({_named(h) for h in named if named.count(h) > 1})
    problems = [
        f"{what}: {', '.join(names)}"
        for what, names in (
            ("faltan columnas obligatorias", missing),
            ("columnas desconocidas", unknown),
            ("columnas repetidas", repeated),
        )
        if names
    ]
    if problems:
        accepted = ", ".join(c.name for c in COLUMNS)
        raise CsvFileError(f"Encabezados no válidos ({'; '.join(problems)}). Use: {accepted}.")
    records = [(i + 1, row) for i, row in enumerate(rows) if i and any(c.strip() for c in row)]
    if not records:
        raise CsvFileError("El archivo no tiene filas de casos debajo de los encabezados.")
    if len(records) > MAX_ROWS:
        raise CsvFileError(
            f"El archivo tiene {len(records)} filas; el máximo es {MAX_ROWS}: "
            "divídalo en archivos más pequeños."
        )
    return header, rows[0], records, separator


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
    data, errors = _case_input(values, now)
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
        result.errors = _merge(errors, rules)
        return result
    try:
        with db.session.begin_nested():
            case = intake.open_case(data, actor, programme, now)
    except intake.IntakeError as exc:
        result.errors = _columns(exc.errors)
    except intake.DuplicateCase as exc:
        result.outcome = Outcome.DUPLICATE
        result.message = str(exc)
        result.duplicate_of = _column(exc.field)
    except DataError:
        result.errors = {"": ["La base de datos rechazó un valor de la fila."]}
    else:
        result.outcome = Outcome.IMPORTED
        result.case_number = case.case_number
        result.service_number = case.unit.service_number
        result.flow = case.flow
        result.status = case.status
    return result


def _case_input(values: dict[str, str], now: datetime) -> tuple[intake.CaseInput, dict]:
    """The row as intake input, plus its parse errors (unparsable dates fall back to today)."""
    errors: dict[str, list[str]] = {}
    v = {name: (values.get(name) or "").strip() for name in KNOWN}

    def check(name: str, ok: bool, message: str) -> None:
        if v[name] and not ok:
            errors.setdefault(name, []).append(message)

    origin = _ORIGINS.get(_key(v["origin"]))
    check("origin", origin is not None, "Origen no válido: use call_center, store o st_counter.")

    purchase = _date(v["purchase_date"], "purchase_date", errors)
    failure = _date(v["failure_date"], "failure_date", errors)
    received = _datetime(v["received_at"], errors)
    store = None
    if v["store_name"] or v["store_ubigeo"] or v["store_address"]:
        store = intake.StoreInput(v["store_name"], _ubigeo(v["store_ubigeo"]), v["store_address"])
    data = intake.CaseInput(
        case_number=v["case_number"],
        service_number=v["service_number"],
        purchase_date=purchase or lima_date(now),
        product_type=_PRODUCTS.get(v["product_type"].lower(), v["product_type"]),
        model=v["model"] or None,
        failure_date=failure,
        received_at=received,
        origin=origin or Origin.CALL_CENTER,
        store=store,
        proof_type=v["proof_type"].lower() or None,
        proof_number=v["proof_number"] or None,
        customer=intake.CustomerInput(
            name=v["customer_name"],
            phone=v["customer_phone"] or None,
            email=v["customer_email"] or None,
            document_id=v["customer_document_id"] or None,
            address=v["customer_address"] or None,
            ubigeo=_ubigeo(v["customer_ubigeo"]) or None,
        ),
    )
    if not v["purchase_date"]:
        errors.setdefault("purchase_date", []).append("Ingrese la fecha de compra.")
    return data, errors


def _rule_errors(
    data: intake.CaseInput, programme: Programme, now: datetime, skip: dict
) -> dict[str, list[str]]:
    """Intake's errors for a row with parse errors (no date rules when a date did not parse)."""
    try:
        intake.assess(data, intake.settings_for(programme), now)
    except intake.IntakeError as exc:
        found = _columns(exc.errors)
    else:
        return {}
    dates_failed = any(name in skip for name in _DATE_FIELDS)
    return {k: m for k, m in found.items() if not (dates_failed and k in _DATE_FIELDS)}


def _date(value: str, name: str, errors: dict) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY (a midnight time part, as Excel adds, is ignored)."""
    if not value:
        return None
    value = _MIDNIGHT.sub("", value)
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        errors.setdefault(name, []).append(
            f"Fecha no válida «{value}»: use AAAA-MM-DD o DD/MM/AAAA."
        )
        return None


def _datetime(value: str, errors: dict) -> datetime | None:
    """ISO 8601 or DD/MM/YYYY HH:MM[:SS]; without an offset it is Lima time."""
    if not value:
        return None
    try:
        match = _DMY_TIME.match(value)
        if match:
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            parsed = datetime(year, month, day, hour, minute, second, tzinfo=LIMA_TZ)
        elif "T" in value or " " in value:
            parsed = datetime.fromisoformat(value)
        else:
            raise ValueError(value)
    except ValueError:
        errors.setdefault("received_at", []).append(
            f"Fecha y hora no válidas «{value}»: use DD/MM/AAAA HH:MM (hora de Lima) o ISO 8601."
        )
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LIMA_TZ)


def _ubigeo(value: str) -> str:
    """A UBIGEO with the leading zero Excel drops put back (70101 → 070101)."""
    return value.zfill(6) if value.isdigit() and len(value) == 5 else value


def _key(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _column(name: str) -> str:
    """The CSV column of an intake field (`customer.ubigeo` → customer_ubigeo)."""
    return "store_name" if name == "store" else name.replace(".", "_")


def _columns(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return _merge({}, {_column(k): v for k, v in errors.items()})


def _merge(first: dict[str, list[str]], second: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in first.items()}
    for name, messages in second.items():
        known = merged.setdefault(name, [])
        for message in messages:
            if message not in known:
                known.append(message)
    return merged
