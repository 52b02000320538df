"""CSV files as people make them in Excel: reading an upload's bytes as text whatever Excel
saved (UTF-8, its "CSV (delimitado por comas)" in Windows-1252, or "Texto Unicode" UTF-16), and
writing files Excel opens with accents intact (UTF-8 with a BOM), with cells that hold text
written so a spreadsheet never runs them as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO


class UnreadableFile(ValueError):
    """The upload cannot be read as a CSV: too big, a workbook, or not text (message in
    Spanish)."""


@dataclass(frozen=True)
class Decoded:
    """An upload's text and the encoding it came in; `note` tells the user about a conversion."""

    text: str
    encoding: str
    note: str | None = None


WINDOWS_1252_NOTE = (
    "El archivo estaba en Windows-1252 (el «CSV delimitado por comas» de Excel, no UTF-8): "
    "se convirtió a UTF-8 al importarlo. Revise que las tildes y eñes se vean bien."
)
UTF16_NOTE = "El archivo estaba en UTF-16 («Texto Unicode» de Excel): se convirtió a UTF-8."


def read(source: str | bytes | IO, max_bytes: int) -> Decoded:
    """The text of an upload (a stream, bytes or already text), checked for size and converted
    from Excel's encodings.

    :raises UnreadableFile: when it is too large, an Excel workbook, or not text.
    """
    if isinstance(source, str):
        raw = source.encode("utf-8")
    else:
        raw = source if isinstance(source, bytes) else source.read(max_bytes + 1)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    if len(raw) > max_bytes:
        raise UnreadableFile(
            f"El archivo supera el máximo de {max_bytes // (1024 * 1024)} MB: "
            "divídalo en archivos más pequeños."
        )
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UnreadableFile(
            "El archivo es un libro de Excel, no un CSV: en Excel use «Guardar como» → "
            "«CSV UTF-8 (delimitado por comas)»."
        )
    return decode(raw)


def decode(raw: bytes) -> Decoded:
    """The text of `raw`: UTF-8 (BOM or not) first, since it is strict enough that other
    encodings almost never pass as it; then UTF-16 with its BOM; then Windows-1252, which is what
    Excel in Spanish writes for a plain CSV.

    :raises UnreadableFile: when no encoding fits (a byte Windows-1252 leaves undefined).
    """
    try:
        return Decoded(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(raw.decode("utf-16"), "utf-16", UTF16_NOTE)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(raw.decode("cp1252"), "windows-1252", WINDOWS_1252_NOTE)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"El archivo no está en UTF-8 ni en Windows-1252 (byte no válido en la posición "
            f"{first_bad}): en Excel use «Guardar como» → «CSV UTF-8 (delimitado por comas)»."
        ) from exc


# A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(...), +cmd, @SUM,
# a tab or CR that the next character turns into one): OWASP's CSV injection advice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def cell_text(cell: str) -> str:
    """The value a `text_cell` was made from (a file the app wrote, uploaded again): the quote
    before a formula character comes off; any other cell is left as it is."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def write(header: Iterable[str], rows: Iterable[Iterable[str]], separator: str = ",") -> bytes:
    """A CSV file Excel opens with accents intact: UTF-8 with a BOM, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(list(header))
    writer.writerows(list(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
