"""The counter clerk registers a walk-in at a desktop (1366 × 768) in Chromium: every error at
once after submit, and the district typed with suggestions instead of three selects."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, Case, DocType, Document, User
from fieldapp.services.documents import issuing
from fieldapp.services.workshop import repairs
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.browser.conftest import browser_context, log_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def desk(browser, server):
    if db.session.scalar(select(User).where(User.username == "mostrador")) is None:
        factories.user(Role.TECHNICIAN, username="mostrador", full_name="Mónica Torres")
        db.session.commit()
    db.session.remove()
    context = browser_context(browser, server, DESKTOP, mobile=False)
    page = context.new_page()
    csp: list[str] = []
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in(page, "mostrador", "/cases/new")
    expect(page.get_by_role("heading", name="Registrar caso")).to_be_visible()
    yield page
    assert not csp, csp
    context.close()


def test_every_error_shows_after_submit_including_the_live_panels(desk):
    page = desk
    page.fill("#case_number", "KCC-BROWSER-ERR")
    page.fill("#service_number", "12345")
    later = factories.days_ago(0) + timedelta(days=3)
    page.fill("#purchase_date", later.isoformat())
    panel = page.locator("#assessment")
    expect(panel).to_contain_text("letra seguida de 6 dígitos")
    expect(panel).to_contain_text("no puede ser posterior a la fecha de hoy")
    page.get_by_role("button", name="Registrar caso").click()  # no name, phone or district

    summary = page.locator("[data-test=error-summary]")
    for message in (
        "letra seguida de 6 dígitos",
        "no puede ser posterior a la fecha de hoy",
        "Ingrese el nombre del cliente.",
        "Ingrese un teléfono de contacto.",
        "Indique el distrito",
    ):
        expect(summary).to_contain_text(message)
    expect(page.locator("#service_number-error")).to_contain_text("letra seguida de 6 dígitos")
    expect(page.locator("#purchase_date-error")).to_contain_text("posterior a la fecha de hoy")
    expect(panel).to_contain_text("letra seguida de 6 dígitos")  # the panel did not go blank
    expect(page.locator("#service_number")).to_have_value("12345")
    summary.get_by_role("link", name="Número de servicio (service number)").click()
    expect(page.locator("#service_number")).to_be_focused()
    assert db.session.scalar(select(Case).where(Case.case_number == "KCC-BROWSER-ERR")) is None


def test_district_is_typed_and_picked_from_suggestions(desk):
    page = desk
    expect(page.locator("select[name=customer_department]")).to_have_count(0)
    page.fill("#case_number", "KCC-BROWSER-OK")
    page.fill("#service_number", "T 654 777")
    page.fill("#purchase_date", factories.days_ago(90).isoformat())
    page.fill("#customer_name", "Lucía Rojas")
    page.fill("#customer_phone", "987 111 222")
    page.locator("#customer_place").press_sequentially("miraf")
    option = page.get_by_role("option", name="Miraflores Lima (Lima) · 150122")
    expect(option).to_be_visible()
    expect(
        page.get_by_role("option", name="Miraflores Arequipa (Arequipa) · 040110")
    ).to_be_visible()
    option.click()
    expect(page.locator("#customer_place")).to_have_value("Miraflores, Lima (Lima)")
    expect(page.locator("#customer_district")).to_have_value("150122")
    expect(page.locator("#customer_place-options [data-place-option]")).to_have_count(0)
    expect(page.locator("#assessment")).to_contain_text("Lima")  # the panel heard the pick

    # Keyboard only for the store's district: type, arrow down, Enter.
    page.locator("#store_place").press_sequentially("lince")
    expect(page.get_by_role("option", name="Lince Lima (Lima) · 150116")).to_be_visible()
    page.locator("#store_place").press("ArrowDown")
    expect(page.get_by_role("option", name="Lince Lima (Lima) · 150116")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#store_district")).to_have_value("150116")
    page.fill("#store_place", "")
    expect(page.locator("#store_district")).to_have_value("")  # typing again drops the pick

    page.get_by_role("button", name="Registrar caso").click()
    expect(page.locator(".flash-success")).to_contain_text("Caso KCC-BROWSER-OK registrado.")
    case = db.session.scalar(select(Case).where(Case.case_number == "KCC-BROWSER-OK"))
    assert case.ubigeo == "150122" and case.store is None
    db.session.remove()


def test_counter_collection_takes_a_drawn_signature(desk):
    technician = db.session.scalar(select(User).where(User.username == "mostrador"))
    case = factories.case()
    repairs.receive(case, technician, refilled=False)
    repairs.repair_done(case, technician)
    db.session.commit()
    case_id, case_number = case.id, case.case_number
    db.session.remove()

    page = desk
    page.goto(f"/workshop/cases/{case_number}")
    page.fill("#signer_name", "Juan Quispe")
    page.fill("#signer_document_id", "40123456")
    submit = page.get_by_role("button", name="Registrar entrega y firma")
    submit.click()  # nothing drawn yet
    expect(page.locator("#signature-error")).to_contain_text("Falta la firma")
    expect(page.locator("#signer_name")).to_have_value("Juan Quispe")

    pad = page.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] - 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 30 + (step % 3) * 30, steps=3)
    page.mouse.up()
    page.get_by_role("button", name="Registrar entrega y firma").click()
    expect(page.locator(".flash-success")).to_contain_text("Equipo entregado al cliente")

    signature = db.session.scalar(
        select(Attachment).where(Attachment.case_id == case_id, Attachment.kind == "signature")
    )
    assert signature is not None and signature.job_id is None
    assert signature.width > 100 and signature.height > 50
    issue_pending()
    note = db.session.scalar(
        select(Document).where(
            Document.case_id == case_id, Document.doc_type == DocType.REPAIR_DELIVERY
        )
    )
    reader = PdfReader(io.BytesIO(issuing.pdf_bytes(note)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Recibí conforme: Juan Quispe · DNI 40123456" in text
    sizes = [image.image.size for p in reader.pages for image in p.images]
    assert (signature.width, signature.height) in sizes
    db.session.remove()


def test_import_converts_an_excel_ansi_file_and_gives_back_the_rejected_rows(desk, tmp_path):
    sample = Path(__file__).parent.parent / "data" / "cases_sample.csv"
    ansi = tmp_path / "casos-excel.csv"
    text = sample.read_bytes().decode("utf-8-sig").replace("KCC-2026-011", "KCC-BRW-011")
    ansi.write_bytes(text.encode("cp1252"))
    page = desk
    page.goto("/cases/import")
    with page.expect_download() as template:
        page.locator("[data-test=template]").click()
    header = template.value.path().read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("programme,case_number,service_number,")

    page.set_input_files("input[type=file]", str(ansi))
    page.get_by_role("button", name="Importar").click()
    expect(page.locator("[data-test=encoding-note]")).to_contain_text("Windows-1252")
    expect(page.locator(".import-report")).to_contain_text("Fecha de compra (purchase_date)")
    with page.expect_download() as rejected:
        page.locator("[data-test=download-rejected]").click()
    assert rejected.value.suggested_filename == "filas-rechazadas.csv"
    lines = rejected.value.path().read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].endswith(";errores") and len(lines) == 5
    assert all(line.startswith("KCC-BRW-") for line in lines[1:])
    stored = db.session.scalar(select(Case).where(Case.case_number == "KCC-BRW-0110451"))
    assert stored.customer.name == "María Flores Quispe"
    db.session.remove()
