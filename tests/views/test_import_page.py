"""The CSV upload page: a real multipart POST, the report table, refusals and access."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.services.cases import csv_format, csv_import
from tests import factories
from tests.conftest import csrf_token

SAMPLE = Path(__file__).parent.parent / "data" / "cases_sample.csv"
NOW = datetime(2026, 11, 20, 17, 0, tzinfo=LIMA_TZ)
URL = "/cases/import"


@pytest.fixture
def dispatcher(logged_in, app, monkeypatch):
    factories.programme()
    monkeypatch.setattr(csv_import, "utcnow", lambda: NOW)
    return logged_in(Role.DISPATCHER)


def upload(client, content: bytes, filename: str = "casos.csv", token: str | None = None):
    token = csrf_token(client, URL) if token is None else token
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename)}
    return client.post(URL, data=data, content_type="multipart/form-data")


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def report_rows(html: str) -> dict[int, str]:
    """Each row of the report table by its row number, as text without tags."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for chunk in body.split("<tr")[1:]:
        text = " ".join(re.sub(r"<[^>]+>", " ", "<tr" + chunk).split())
        number, rest = text.split(" ", 1)
        rows[int(number)] = rest
    return rows


def test_page_explains_the_file_and_shows_the_upload_form(client, dispatcher):
    html = client.get(URL).get_data(as_text=True)

    assert "<h1>Importar casos</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'accept=".csv,text/csv"' in html
    assert "<code>customer_ubigeo</code>: UBIGEO del cliente (<strong>obligatoria</strong>)" in html
    assert "<code>received_at</code>: Recibido por el ST" in html
    assert "punto y coma" in html and "5000 filas" in html
    assert "<table" not in html
    # Strict CSP: no inline scripts or style attributes.
    assert "style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_upload_imports_the_good_rows_and_reports_every_row(client, dispatcher):
    response = upload(client, SAMPLE.read_bytes())

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Resultado de la importación" in html
    assert "Importados: <strong>11</strong>" in html
    assert "Duplicados: <strong>1</strong>" in html
    assert "Rechazados: <strong>4</strong>" in html
    rows = report_rows(html)
    assert sorted(rows) == list(range(2, 18))
    assert rows[2] == "KCC-2026-0110451 T481203 Importado DOA Lima · Recibido"
    assert rows[8] == "KCC-2026-0110515 T483377 Importado DOA en tienda · Recibido"
    assert rows[6] == "KCC-2026-0110490 T479120 Importado Garantía provincias · Recibido"
    assert rows[13].startswith(
        "KCC-2026-0110560 X12 Rechazado Fecha de compra (purchase_date): Fecha no válida"
    )
    assert "Número de servicio (service_number): El número de servicio debe tener" in rows[13]
    assert "G&amp;N DIGITAL o FOTO DIGITAL" in rows[14]
    assert (
        "UBIGEO del cliente (customer_ubigeo): No existe un distrito con el código UBIGEO 159999."
        in rows[16]
    )
    assert rows[17] == (
        "KCC-2026-0110604 C350877 Duplicado "
        "El equipo C350877 ya tiene un caso abierto (KCC-2026-0110460)."
    )

    # Committed by the request, with the uploader as author.
    db.session.expire_all()
    assert case_count() == 11
    stored = db.session.scalar(select(Case).where(Case.case_number == "KCC-2026-0110451"))
    assert stored.created_by_user_id == dispatcher.id


def test_uploading_the_same_file_again_imports_nothing_twice(client, dispatcher):
    upload(client, SAMPLE.read_bytes())
    html = upload(client, SAMPLE.read_bytes()).get_data(as_text=True)

    assert "Importados: <strong>0</strong>" in html
    assert "Duplicados: <strong>12</strong>" in html
    rows = report_rows(html)
    assert rows[2] == (
        "KCC-2026-0110451 T481203 Duplicado El caso KCC-2026-0110451 ya fue registrado."
    )
    db.session.expire_all()
    assert case_count() == 11


def test_a_file_that_is_not_csv_is_refused_with_the_form_again(client, dispatcher):
    response = upload(client, b"\xff\xd8\xff\xe0 a photo", filename="foto.jpg")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "El archivo debe ser un CSV (.csv)" in html
    assert 'class="field has-error"' in html and 'aria-invalid="true"' in html
    assert "Resultado de la importación" not in html
    assert case_count() == 0


def test_an_empty_submit_asks_for_the_file(client, dispatcher):
    token = csrf_token(client, URL)
    response = client.post(URL, data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Elija el archivo CSV que desea importar." in response.get_data(as_text=True)


def test_a_csv_with_wrong_headers_shows_the_file_error_and_stores_nothing(client, dispatcher):
    content = b"case_number;servicio;purchase_date\nX-1;T123456;2026-10-01\n"

    html = upload(client, content).get_data(as_text=True)

    assert (
        "Encabezados no válidos (faltan columnas obligatorias: "
        "Número de servicio (service_number)" in html
    )
    assert "columnas desconocidas: servicio" in html
    assert 'class="field has-error"' in html
    assert "Resultado de la importación" not in html
    assert case_count() == 0


def test_upload_without_the_csrf_token_is_refused(client, dispatcher):
    csrf_token(client, URL)
    response = upload(client, SAMPLE.read_bytes(), token="")
    assert response.status_code == 400
    assert "El formulario expiró" in response.get_data(as_text=True)
    assert case_count() == 0


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.SUPERVISOR, Role.ADMIN])
def test_the_other_case_roles_may_import(client, login, role):
    login(factories.user(role).username)
    assert "<h1>Importar casos</h1>" in client.get(URL).get_data(as_text=True)


def test_courier_is_refused(client, login):
    factories.programme()
    login(factories.user(Role.COURIER).username)
    token = csrf_token(client, "/courier/")

    page = client.get(URL)
    post = upload(client, SAMPLE.read_bytes(), token=token)

    assert page.status_code == 403 and post.status_code == 403
    assert "No tiene permiso" in page.get_data(as_text=True)
    assert "Importar casos" not in page.get_data(as_text=True)
    assert case_count() == 0


def test_template_download(client, dispatcher):
    html = client.get(URL).get_data(as_text=True)
    assert 'href="/cases/import/plantilla.csv"' in html
    response = client.get("/cases/import/plantilla.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="plantilla-importacion-casos.csv"' in response.headers["Content-Disposition"]
    header = response.get_data().decode("utf-8-sig").strip().split(",")
    assert header == [c.name for c in csv_format.COLUMNS]


def test_rejected_rows_are_downloaded_to_fix_and_upload_again(client, dispatcher):
    html = upload(client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert "Descargar las 4 filas rechazadas (CSV)" in html
    carried = re.search(r'name="rows" type="hidden" value="([^"]+)"', html)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/cases/import/rechazadas.csv", data={"csrf_token": token, "rows": carried.group(1)}
    )
    assert 'filename="filas-rechazadas.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].endswith(";customer_ubigeo;proof_type;proof_number;errores")
    assert [line.split(";")[0] for line in lines[1:]] == [
        "KCC-2026-0110560",
        "KCC-2026-0110571",
        "KCC-2026-0110589",
        "KCC-2026-0110593",
    ]
    assert "Fecha de compra (purchase_date): Fecha no válida" in lines[1]
    assert client.post("/cases/import/rechazadas.csv", data={"rows": "x"}).status_code == 400


def test_a_windows_1252_upload_is_converted_and_the_page_says_so(client, dispatcher):
    content = SAMPLE.read_bytes().decode("utf-8-sig").encode("cp1252")
    html = upload(client, content).get_data(as_text=True)
    assert "Importados: <strong>11</strong>" in html
    assert 'data-test="encoding-note"' in html and "Windows-1252" in html
    db.session.expire_all()
    stored = db.session.scalar(select(Case).where(Case.case_number == "KCC-2026-0110451"))
    assert stored.customer.name == "María Flores Quispe"
