"""Document downloads (per-document access) and the public verification page."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import DocType, Document, Job, Route
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from fieldapp.services.documents import issuing
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.services.test_documents import close_stop, doa_case


@pytest.fixture
def delivered(app, courier):
    """A DOA swap closed by `courier`, its delivery note and route sheet issued."""
    case = doa_case(customer={"name": "María Flores Quispe"})
    close_stop(visits.open_job(case), courier, "proof_of_purchase")
    assert issue_pending().issued == 2
    note = db.session.scalars(
        select(Document).where(Document.doc_type == DocType.DOA_DELIVERY)
    ).one()
    sheet = db.session.scalars(
        select(Document).where(Document.doc_type == DocType.ROUTE_SHEET)
    ).one()
    return case, note, sheet


@pytest.mark.parametrize("role", ["admin", "dispatcher", "supervisor", "technician"])
def test_staff_download_the_frozen_bytes(client, login, delivered, role):
    _case, note, _sheet = delivered
    login(factories.user(role).username)
    response = client.get(f"/documents/{note.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == note.sha256
    assert note.number in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


def test_the_courier_who_closed_the_stop_gets_its_note_and_route_sheet(
    client, login, delivered, courier
):
    _case, note, sheet = delivered
    login(courier.username)
    assert client.get(f"/documents/{note.id}.pdf").data.startswith(b"%PDF")
    assert client.get(f"/documents/{sheet.id}.pdf").data.startswith(b"%PDF")


def test_another_courier_gets_nothing(client, login, delivered):
    _case, note, sheet = delivered
    login(factories.user(Role.COURIER).username)
    for document in (note, sheet):
        response = client.get(f"/documents/{document.id}.pdf")
        assert response.status_code == 404 and b"%PDF" not in response.data


def test_anonymous_users_are_sent_to_login(client, delivered):
    _case, note, _sheet = delivered
    response = client.get(f"/documents/{note.id}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_verification_page_shows_the_facts_and_initials_only(client, delivered):
    case, note, _sheet = delivered
    response = client.get(f"/d/{note.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in (note.number, "Nota de entrega", case.case_number, "Válido", "M. F. Q."):
        assert expected in html
    for personal in ("María", "Flores", case.customer.phone, case.customer.document_id):
        assert personal not in html
    assert case.unit.service_number not in html and "Rosa Quispe" not in html
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    # A holder checks a PDF copy against the fingerprint of the issued bytes.
    digest = hashlib.sha256(issuing.pdf_bytes(note)).hexdigest()
    assert digest == note.sha256 and f'data-test="sha256">{digest}<' in html


def test_verification_by_typed_short_code_and_after_a_new_issue(client, delivered, courier):
    _case, note, _sheet = delivered
    job = db.session.get(Job, note.job_id)
    visits.reject(job, factories.user(Role.SUPERVISOR), "Firma ilegible")
    visits.complete(job, courier)  # closed again: a delivery note that replaces the first
    db.session.commit()
    issue_pending()
    replacement = db.session.scalars(
        select(Document).where(Document.supersedes_id == note.id)
    ).one()
    code = f"{note.short_code[:4]}-{note.short_code[4:]}".lower()
    html = client.get(f"/d/{code}").get_data(as_text=True)
    assert "Reemplazado" in html and replacement.number in html and "Válido" not in html
    assert "Válido" in client.get(f"/d/{replacement.token}").get_data(as_text=True)


def test_unknown_verification_tokens_are_not_found(client, app):
    response = client.get("/d/not-a-real-token")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Documento no encontrado o no válido" in html
    assert "La página que busca no existe." not in html


def test_the_case_page_lists_its_documents(client, login, delivered):
    case, note, _sheet = delivered
    login(factories.user(Role.DISPATCHER).username)
    html = client.get(f"/cases/{case.case_number}").get_data(as_text=True)
    assert "Documentos" in html and note.number in html
    assert f"/documents/{note.id}.pdf" in html


def test_route_sheet_of_an_unclosed_route_belongs_to_its_courier(client, login, courier):
    route = Route(courier=courier, day=factories.days_ago(0), published_at=utcnow())
    db.session.add(route)
    visits.on_publish(route, courier)
    db.session.commit()
    issue_pending()
    sheet = db.session.scalars(select(Document)).one()
    login(courier.username)
    assert client.get(f"/documents/{sheet.id}.pdf").status_code == 200
