"""Issued documents: content of each PDF, numbering, freezing, supersession, safety, e-mail."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from fieldapp.domain.case_flow import Event
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.infra import media, pdf_render
from fieldapp.models import (
    Attachment,
    DocType,
    Document,
    DocumentRequest,
    DocumentSeries,
    Job,
    OutboxMessage,
    Route,
)
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from fieldapp.services.cases.progress import apply_event
from fieldapp.services.documents import access, issuing, requests
from fieldapp.services.workshop import repairs
from fieldapp.worker.jobs import deliver_pending, issue_document, issue_pending
from tests import factories
from tests.factories import jpeg, png

SIGNATURE_SIZE = (240, 90)


def close_stop(job: Job, courier, *photos: str, accessories=None, note=None) -> None:
    """Publish, arrive, record the evidence and close `job` as done."""
    visits.on_publish(factories.plan(job, courier), courier)
    visits.arrive(job, courier, lat=-12.09123, lon=-77.03456, accuracy_m=8)
    for purpose in photos:
        factories.attachment(job, "photo", purpose, jpeg(), "image/jpeg")
    factories.attachment(job, "signature", "signature", png(), "image/png")
    job.checked_service_number = job.case.unit.service_number
    if job.kind in (JobKind.DOA_SWAP, JobKind.STORE_SWAP):
        job.replacement_service_number = "C765432"
    job.refilled_cartridges = False
    job.accessories = accessories
    job.outcome_note = note
    job.signer_name, job.signer_document_id = "Rosa Quispe Mamani", "41234567"
    visits.complete(job, courier)
    db.session.commit()


def issued(doc_type: DocType) -> Document:
    report = issue_pending()
    assert report.failed == 0, db.session.scalars(select(DocumentRequest.last_error)).all()
    return db.session.scalars(
        select(Document).where(Document.doc_type == doc_type).order_by(Document.id.desc())
    ).first()


def pdf_text(document: Document) -> str:
    reader = PdfReader(io.BytesIO(issuing.pdf_bytes(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


def image_sizes(document: Document) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(issuing.pdf_bytes(document)))
    return [image.image.size for page in reader.pages for image in page.images]


def doa_case(**overrides):
    """A DOA case with its proof of purchase (the documents print it)."""
    return factories.doa_case(
        proof_type="boleta",
        proof_number="B001-4567",
        **overrides,
    )


def test_doa_delivery_note_carries_numbers_names_and_the_signature(app, courier):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    document = issued(DocType.DOA_DELIVERY)
    year = utcnow().year
    assert document.number == f"NE-{year}-000001"
    text = pdf_text(document)
    for expected in (
        "Nota de entrega",
        f"NE-{year}-000001",
        case.case_number,
        case.unit.service_number,  # the failed unit, coming in
        "C765432",  # the new unit, going out
        "Boleta B001-4567",
        "Rosa Quispe Mamani",
        "41234567",
        "Carlos Ríos",
        "-12.09123",
        "Alternativa Tecnológica S.A.C.",
        "RUC 20419653471",
        document.short_code[:4],
    ):
        assert expected in text, expected
    assert SIGNATURE_SIZE in image_sizes(document)
    assert len(PdfReader(io.BytesIO(issuing.pdf_bytes(document))).pages) == 1


def test_pickup_receipt_lists_condition_accessories_refill_answer_and_photos(app, courier):
    case = factories.case(customer={"ubigeo": "130101"})  # provinces: the ST picks it up
    job = visits.open_job(case)
    assert job.kind is JobKind.PICKUP
    close_stop(
        job, courier, "unit_condition", accessories="Cable USB y bandeja", note="Tapa rayada"
    )
    document = issued(DocType.PICKUP_RECEIPT)
    text = pdf_text(document)
    for expected in ("Constancia de recojo", document.number, case.unit.service_number):
        assert expected in text
    for expected in ("Cable USB y bandeja", "Tapa rayada", "rellenados", "Rosa Quispe Mamani"):
        assert expected in text
    sizes = image_sizes(document)
    assert SIGNATURE_SIZE in sizes and (320, 240) in sizes  # signature and photo thumbnail


def test_reception_receipt_at_the_counter(app):
    technician = factories.user(Role.TECHNICIAN, full_name="Luis Vega")
    case = factories.case()  # Lima warranty: the customer brings the unit
    apply_event(case, Event.RECEIVE_UNIT, technician, note="Sin cartuchos, carcasa sana")
    db.session.commit()
    document = issued(DocType.RECEPTION_RECEIPT)
    text = pdf_text(document)
    for expected in (
        "Constancia de recepción",
        document.number,
        case.case_number,
        case.unit.service_number,
        "María Flores",
        "Luis Vega",
        "Sin cartuchos, carcasa sana",
        "Entregado en mostrador",
    ):
        assert expected in text, expected


def test_repaired_unit_collected_at_the_counter_gets_the_repair_summary(app):
    technician = factories.user(Role.TECHNICIAN)
    case = factories.case()
    apply_event(case, Event.RECEIVE_UNIT, technician)
    apply_event(case, Event.REPAIR, technician, note="Cambio de cabezal de impresión")
    apply_event(case, Event.RETURN_UNIT, technician)
    db.session.commit()
    document = issued(DocType.REPAIR_DELIVERY)
    text = pdf_text(document)
    for expected in ("equipo reparado", document.number, case.case_number, "Cambio de cabezal"):
        assert expected in text, expected
    assert case.unit.service_number in text and "mostrador" in text


def test_counter_collection_prints_the_signature_drawn_at_the_counter(app):
    technician = factories.user(Role.TECHNICIAN)
    case = factories.case()
    repairs.receive(case, technician, refilled=False)
    repairs.repair_done(case, technician)
    repairs.collect_at_counter(
        case, technician, "Juan Quispe", "40123456", factories.signature_data_url((300, 120))
    )
    db.session.commit()
    document = issued(DocType.REPAIR_DELIVERY)
    text = pdf_text(document)
    assert "Recibí conforme: Juan Quispe · DNI 40123456" in text
    assert "recojo en mostrador" in text.lower()
    assert (300, 120) in image_sizes(document)  # the drawing itself, not just a line to sign


def test_failed_visit_certificate_has_the_reason_and_photo(app, courier):
    case = doa_case()
    job = visits.open_job(case)
    visits.on_publish(factories.plan(job, courier), courier)
    visits.arrive(job, courier)
    factories.attachment(job, "photo", "failed_attempt", jpeg("darkred"), "image/jpeg")
    visits.fail(job, courier, FailureReason.NOT_HOME, note="Nadie respondió", has_photo=True)
    db.session.commit()
    document = issued(DocType.FAILED_VISIT)
    text = pdf_text(document)
    for expected in ("visita fallida", "No se encontraba", "Nadie respondió", case.case_number):
        assert expected in text, expected
    assert (320, 240) in image_sizes(document)
    assert document.job_id == job.id


def test_route_sheet_lists_every_stop_in_order(app, courier):
    factories.courier_profile(courier)
    cases = [doa_case(customer={"address": f"Calle Las Flores {n}"}) for n in range(3)]
    route = Route(courier=courier, day=factories.days_ago(0), published_at=utcnow())
    for sequence, case in enumerate(cases, start=1):
        job = visits.open_job(case)
        job.status, job.sequence = JobStatus.PLANNED, sequence
        job.lat += sequence * 0.01
        route.jobs.append(job)
    db.session.add(route)
    visits.on_publish(route, courier)
    db.session.commit()
    document = issued(DocType.ROUTE_SHEET)
    text = pdf_text(document)
    assert "Hoja de ruta" in text and "Carlos Ríos" in text and document.number in text
    positions = [text.index(case.case_number) for case in cases]
    assert positions == sorted(positions)
    assert "Calle Las Flores 2" in text and "987654321" in text and "Llevar equipo nuevo" in text
    assert "Carlos Ríos · Auto" in text and " car" not in text  # the vehicle in Spanish


def test_issued_bytes_are_frozen_and_a_stop_closed_again_supersedes(app, courier):
    case = doa_case()
    job = visits.open_job(case)
    close_stop(job, courier, "proof_of_purchase")
    first = issued(DocType.DOA_DELIVERY)
    original = issuing.pdf_bytes(first)
    assert hashlib.sha256(original).hexdigest() == first.sha256
    # A supervisor sends the stop back and the courier closes it again: a new delivery note.
    visits.reject(job, factories.user(Role.SUPERVISOR), "Firma ilegible")
    visits.complete(job, courier)
    db.session.commit()
    second = issued(DocType.DOA_DELIVERY)
    assert second.id != first.id and second.number.endswith("000002")
    assert second.supersedes_id == first.id
    db.session.refresh(first)
    assert first.superseded_by_id == second.id and not first.is_valid
    assert issuing.pdf_bytes(first) == original  # never overwritten
    assert f"reemplaza al documento {first.number}" in pdf_text(second)


def test_a_failed_render_consumes_no_number_and_is_retried(app, courier, monkeypatch):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    real_render = pdf_render.render

    def broken(*args, **kwargs):
        raise RuntimeError("render exploded")

    monkeypatch.setattr(pdf_render, "render", broken)
    report = issue_pending()
    assert (report.issued, report.failed) == (0, 2)  # the route sheet and the delivery note
    assert db.session.scalar(select(func.count(Document.id))) == 0
    assert db.session.scalar(select(DocumentSeries.last_number)) in (None, 0)
    queued = db.session.scalars(
        select(DocumentRequest).where(DocumentRequest.doc_type == DocType.DOA_DELIVERY)
    ).one()
    assert queued.attempts == 1 and "render exploded" in queued.last_error
    assert queued.done_at is None and queued.next_attempt_at > utcnow()
    assert case.status.value == "swapped"  # the stop stays closed
    monkeypatch.setattr(pdf_render, "render", real_render)
    assert issue_pending().issued == 0  # not due yet
    report = issue_pending(now=utcnow() + timedelta(minutes=5))
    assert report.issued == 2
    numbers = db.session.scalars(select(Document.number).order_by(Document.number)).all()
    assert [number.split("-")[0] for number in numbers] == ["HR", "NE"]
    assert all(number.endswith("-000001") for number in numbers)


def test_concurrent_issues_get_every_number_exactly_once(app, courier):
    route = Route(courier=courier, day=factories.days_ago(0), published_at=utcnow())
    db.session.add(route)
    db.session.flush()
    ids = [
        requests.request(DocType.ROUTE_SHEET, f"concurrency:{n}", route=route).id for n in range(40)
    ]
    db.session.commit()
    errors: list[BaseException] = []

    def worker(chunk: list[int]) -> None:
        try:
            with app.app_context():
                for request_id in chunk:
                    for _attempt in range(10):
                        try:
                            issue_document(request_id)
                            break
                        except OperationalError:  # lock wait timed out: retry, as the queue does
                            db.session.rollback()
                    else:
                        raise AssertionError(f"request {request_id} never issued")
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ids[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.commit()
    sequences = sorted(db.session.scalars(select(Document.sequence)))
    assert sequences == list(range(1, 41))
    numbers = db.session.scalars(select(Document.number)).all()
    assert len(set(numbers)) == 40
    assert db.session.scalar(select(DocumentSeries.last_number)) == 40


def test_issuing_the_same_request_twice_makes_one_document(app, courier):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    request_id = db.session.scalars(
        select(DocumentRequest.id).where(DocumentRequest.doc_type == DocType.DOA_DELIVERY)
    ).one()
    assert issuing.issue(request_id) is not None
    assert issuing.issue(request_id) is None
    assert db.session.scalar(select(func.count(Document.id))) == 1


def test_user_text_is_escaped_and_files_are_never_fetched(app, courier):
    hostile = '<b>Ana</b> <img src="file:///etc/passwd"> Pérez'
    case = doa_case(customer={"name": hostile})
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    document = issued(DocType.DOA_DELIVERY)
    text = pdf_text(document)
    assert '<b>Ana</b> <img src="file:///etc/passwd"> Pérez' in text.replace("\n", " ")
    assert "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "fieldapp:/static/../../../../etc/passwd",
        "fieldapp:/static/css/../../__init__.py",
        "fieldapp:/static/%2e%2e/%2e%2e/config.py",
        "fieldapp:/media/../test.db",
        "fieldapp:/media/" + "a" * 64 + ".png",  # well-formed, but not stored
    ],
)
def test_the_fetcher_refuses_anything_but_static_and_stored_media(app, url):
    fetcher = pdf_render.fetcher()
    with pytest.raises(pdf_render.FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_static_files_and_stored_images(app):
    fetcher = pdf_render.fetcher()
    css = fetcher.fetch("fieldapp:/static/css/pdf.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    sha256 = media.store(png(), "image/png")
    image = fetcher.fetch(pdf_render.media_url(sha256, "image/png"))
    assert image.read() == png() and image.content_type == "image/png"


def test_an_injected_image_is_refused_during_the_render(app):
    fetcher = pdf_render.fetcher()
    html = '<p>Hola</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
    pdf = pdf_render.render_html(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == ["file:///etc/passwd", "http://127.0.0.1:9/x.png"]
    assert b"root:" not in pdf


def test_customer_and_case_admin_get_the_pdf_by_email(app, courier, tmp_path):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    document = issued(DocType.DOA_DELIVERY)
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.document_id == document.id)
    ).all()
    assert sorted(m.to_address for m in messages) == [
        "case.admin@kodak.example",
        "maria@correo.example",
    ]
    assert all(document.number in m.subject and case.case_number in m.subject for m in messages)
    deliver_pending()
    sent = [p.read_bytes() for p in Path(tmp_path / "outbox").glob("*-document-*.eml")]
    assert len(sent) == 2
    assert all(f'filename="{document.number}.pdf"'.encode() in raw for raw in sent)


def test_documents_are_attached_to_the_case(app, courier):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    document = issued(DocType.DOA_DELIVERY)
    attachment = db.session.get(Attachment, document.attachment_id)
    assert attachment.case_id == case.id and attachment.kind.value == "document"
    assert attachment.sha256 == document.sha256
    assert issuing.for_case(case) == [document]


def test_short_codes_and_initials(app, courier):
    case = doa_case()
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    document = issued(DocType.DOA_DELIVERY)
    typed = f"{document.short_code[:4].lower()}-{document.short_code[4:]}"
    assert access.find_public(typed) == document
    assert access.find_public(document.token) == document
    assert access.find_public("nope") is None
    assert access.initials("María  flores Quispe") == "M. F. Q."
