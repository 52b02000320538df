"""Dispatch sends a far DOA swap by agency and follows both shipments to the ST's reception on a
phone; the supervisor then approves it (Chromium, 360 × 740)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Case, CourierProfile, Job, User
from fieldapp.services.cases import visits
from tests import factories
from tests.browser.conftest import PHONE, log_in

pytestmark = pytest.mark.browser


def jpeg(colour: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "JPEG")
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _iquitos_doa() -> tuple[int, int, str, str]:
    """A DOA case in Iquitos, a dispatcher, and a Lima courier who cannot reach it in a shift."""
    if db.session.scalar(select(User).where(User.username == "diego")) is None:
        factories.user(Role.DISPATCHER, username="diego", full_name="Diego Despacho")
    rosa = db.session.scalar(select(User).where(User.username == "rosa"))
    if db.session.get(CourierProfile, rosa.id) is None:
        factories.courier_profile(rosa)
    case = factories.case(
        purchase_date=factories.days_ago(4),
        proof_type="boleta",
        proof_number="B001-7788",
        customer={"ubigeo": "160101", "address": "Jr. Próspero 345", "name": "Ana Ruiz"},
    )
    values = (visits.open_job(case).id, case.id, case.case_number, case.unit.service_number)
    db.session.remove()
    return values


def _move(
    page, leg: str, state: str, photo: str | None = None, signature: str | None = None, **fields
) -> None:
    section = page.locator("section.shipment", has_text=leg)
    section.get_by_label("Nuevo estado").select_option(label=state)
    for label, value in fields.items():
        section.get_by_label(label).fill(value)
    if photo:
        section.get_by_label("Foto de la guía").set_input_files(jpeg(photo))
    if signature:
        section.get_by_label("Firma de quien recibió").set_input_files(jpeg(signature))
    section.get_by_role("button", name="Registrar estado").tap()
    expect(page.locator(".flash-success")).to_contain_text(state.lower())


def test_a_doa_swap_by_carrier_goes_from_the_board_to_approval(phone, browser, server):
    job_id, case_id, case_number, service_number = _iquitos_doa()
    page = phone.new_page()
    log_in(page, "diego")
    page.goto("/dispatch/")
    card = page.locator("li.card.job", has_text=case_number)
    expect(card.locator("[data-test=carrier-suggested]")).to_contain_text("enviar por agencia")
    card.get_by_role("link", name="Enviar por agencia").tap()

    # A booking without the branch comes back with the message and the input kept.
    page.get_by_label("Agencia", exact=True).select_option("Shalom")
    page.get_by_label("N.º de guía del envío al cliente").fill("SH-0012345")
    page.get_by_role("button", name="Registrar envío").tap()
    expect(page.locator(".error")).to_contain_text("Indique la sucursal de la agencia")
    expect(page.get_by_label("N.º de guía del envío al cliente")).to_have_value("SH-0012345")
    page.get_by_label("Agencia de destino (sucursal) o recojo a domicilio").fill(
        "Shalom Iquitos, Av. Quiñones 1200"
    )
    # Each leg of the swap has its own cost; one with three decimals is refused.
    page.get_by_label("Costo del envío al cliente (S/)").fill("45.50")
    page.get_by_label("Costo del retorno al ST (S/)").fill("38.125")
    page.get_by_role("button", name="Registrar envío").tap()
    expect(page.locator(".error")).to_contain_text("Como máximo 2 decimales")
    page.get_by_label("Costo del retorno al ST (S/)").fill("38")
    page.get_by_role("button", name="Registrar envío").tap()
    expect(page.locator(".flash-success")).to_contain_text(f"{case_number}: enviado por Shalom")
    expect(page.locator("[data-test=deadline]")).to_contain_text("Vence")
    expect(page.locator("section.shipment", has_text="Envío al cliente")).to_contain_text(
        "S/ 45.50"
    )
    expect(
        page.locator("section.shipment", has_text="Retorno al servicio técnico")
    ).to_contain_text("S/ 38.00")
    expect(page.locator("[data-test=arrival]").first).to_contain_text("/20")

    # The hand-over needs the waybill's photo: the page says so and nothing moves.
    section = page.locator("section.shipment", has_text="Envío al cliente")
    section.get_by_label("Nuevo estado").select_option(label="Entregado a la agencia")
    section.get_by_role("button", name="Registrar estado").tap()
    section = page.locator("section.shipment", has_text="Envío al cliente")
    expect(section.locator(".error")).to_contain_text("falta la foto de la guía")
    expect(section.locator("[data-test=status]")).to_have_text("Reservado")

    _move(page, "Envío al cliente", "Entregado a la agencia", photo="khaki")
    _move(page, "Envío al cliente", "En tránsito")
    _move(
        page,
        "Envío al cliente",
        "Entregado / recogido",
        signature="ivory",
        **{"Recibió (nombre)": "Ana Ruiz", "DNI de quien recibió": "41234567"},
    )
    # The signature the agency returned is shown with the receiver, served from the media route.
    delivered = page.locator("section.shipment", has_text="Envío al cliente")
    expect(delivered.locator("[data-test=receiver]")).to_have_text("Ana Ruiz · DNI 41234567")
    signature = delivered.locator("[data-test=receiver-signature] img")
    expect(signature).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=signature.element_handle()
    )
    _move(
        page,
        "Retorno al servicio técnico",
        "Entregado a la agencia",
        photo="tan",
        **{"N.º de guía": "SH-0099887"},
    )
    _move(page, "Retorno al servicio técnico", "En tránsito")
    _move(page, "Retorno al servicio técnico", "Entregado / recogido")

    reception = page.locator("#reception")
    reception.get_by_label("N.º de servicio verificado (equipo del caso)").fill(service_number)
    reception.get_by_label("N.º de servicio del equipo nuevo enviado").fill("C765432")
    reception.get_by_label("No", exact=True).check()
    reception.get_by_label("Foto del comprobante de compra").set_input_files(jpeg("white"))
    reception.get_by_role("button", name="Cerrar trabajo").tap()
    expect(page.locator(".flash-success")).to_contain_text("pasa a supervisión")

    supervisor = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-PE", base_url=server.url
    )
    supervisor.set_default_timeout(10_000)
    try:
        review = supervisor.new_page()
        log_in(review, "sofia")
        review.goto("/supervisor/")
        card = review.locator(f"#job-{job_id}")
        expect(card).to_contain_text("Shalom · guía SH-0012345")
        expect(card).to_contain_text("guía SH-0099887")
        expect(card).to_contain_text("Sin observaciones")
        card.get_by_role("button", name="Aprobar").tap()
        expect(review.locator(".flash-success")).to_contain_text(
            f"Trabajo del caso {case_number} aprobado"
        )
    finally:
        supervisor.close()
    job = db.session.get(Job, job_id)
    assert job.mode is JobMode.CARRIER and job.status is JobStatus.APPROVED
    assert db.session.get(Case, case_id).status is Status.CLOSED
    db.session.remove()
