"""The Case Admin's import file: its columns, how its header and cells read into intake's
values, and the rejected rows written back (the use case is `csv_import`).

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

The rejected rows' file has the same columns and an `errores` column (ignored on upload); its
cells are written so a spreadsheet shows them as text (a formula character at the start gets a
quote, which comes off again when the file is uploaded).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from fieldapp.domain.assessment import CaseInput, CustomerInput, StoreInput
from fieldapp.domain.case_flow import Origin
from fieldapp.domain.deadlines import LIMA_TZ, lima_date
from fieldapp.infra import csv_files

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
DATE_FIELDS = ("purchase_date", "failure_date", "received_at")


class CsvFileError(ValueError):
    """The file as a whole cannot be imported (encoding, size, headers, row count)."""


def template_file() -> bytes:
    """An empty import file: the header row with every column, in the documented order."""
    return csv_files.write([c.name for c in COLUMNS], [])


def rejected_file(
    header: list[str], separator: str, rows: Iterable[tuple[list[str], list[str]]]
) -> bytes:
    """The rejected rows, each `(cells, reasons)`, as a CSV with the file's own columns (`header`
    as written) and an `errores` column, to fix and upload again (an `errores` column already
    there is replaced). Every cell is written as text, never as a formula."""
    keep = [i for i, cell in enumerate(header) if header_key(cell) != ERRORS_COLUMN]
    lines = [
        [csv_files.text_cell(cells[i] if i < len(cells) else "") for i in keep]
        + [csv_files.text_cell(" | ".join(reasons))]
        for cells, reasons in rows
    ]
    return csv_files.write([header[i] for i in keep] + [ERRORS_COLUMN], lines, separator)


def column_label(name: str) -> str:
    """'Fecha de compra (purchase_date)' for a column of the file."""
    return f"{LABELS[name]} ({name})" if name in LABELS else name


def parse(text: str) -> tuple[list[str], list[str], list[tuple[int, list[str]]], str]:
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
    header = [header_key(cell) for cell in rows[0]]
    header = ["" if h == ERRORS_COLUMN else h for h in header]
    named = [h for h in header if h]
    unknown = [h for h in named if h not in KNOWN]
    missing = [column_label(h) for h in REQUIRED if h not in named]
    repeated = sorted({column_label(h) for h in named if named.count(h) > 1})
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
    # Cells of a rejected-rows file we wrote read back as they were before we quoted them.
    records = [
        (i + 1, [csv_files.cell_text(c) for c in row])
        for i, row in enumerate(rows)
        if i and any(c.strip() for c in row)
    ]
    if not records:
        raise CsvFileError("El archivo no tiene filas de casos debajo de los encabezados.")
    if len(records) > MAX_ROWS:
        raise CsvFileError(
            f"El archivo tiene {len(records)} filas; el máximo es {MAX_ROWS}: "
            "divídalo en archivos más pequeños."
        )
    return header, rows[0], records, separator


def case_input(values: dict[str, str], now: datetime) -> tuple[CaseInput, dict]:
    """The row as intake input, plus its parse errors (unparsable dates fall back to today)."""
    errors: dict[str, list[str]] = {}
    v = {name: (values.get(name) or "").strip() for name in KNOWN}

    def check(name: str, ok: bool, message: str) -> None:
        if v[name] and not ok:
            errors.setdefault(name, []).append(message)

    origin = _ORIGINS.get(header_key(v["origin"]))
    check("origin", origin is not None, "Origen no válido: use call_center, store o st_counter.")

    purchase = _date(v["purchase_date"], "purchase_date", errors)
    failure = _date(v["failure_date"], "failure_date", errors)
    received = _datetime(v["received_at"], errors)
    store = None
    if v["store_name"] or v["store_ubigeo"] or v["store_address"]:
        store = StoreInput(v["store_name"], _ubigeo(v["store_ubigeo"]), v["store_address"])
    data = CaseInput(
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
        customer=CustomerInput(
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


def header_key(value: str) -> str:
    """A header cell as a column name: lower case, spaces and hyphens as `_`."""
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def column_of(name: str) -> str:
    """The CSV column of an intake field (`customer.ubigeo` → customer_ubigeo)."""
    return "store_name" if name == "store" else name.replace(".", "_")


def by_column(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Intake's errors by CSV column (two fields of one column share it)."""
    return merge_reasons({}, {column_of(k): v for k, v in errors.items()})


def merge_reasons(
    first: dict[str, list[str]], second: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The reasons of both, by column, each message once."""
    merged = {k: list(v) for k, v in first.items()}
    for name, messages in second.items():
        known = merged.setdefault(name, [])
        for message in messages:
            if message not in known:
                known.append(message)
    return merged
