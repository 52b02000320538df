"""Ley 29733: exporting what is held about a customer, and anonymising customers whose cases
ended long ago while the case statistics and the issued documents stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import (
    Attachment,
    AuditEvent,
    Case,
    CaseDeadline,
    Customer,
    Document,
    Job,
    OutboxMessage,
)
from fieldapp.models.types import utcnow
from fieldapp.ops import privacy
from fieldapp.services.courier import sync
from fieldapp.services.documents import issuing
from fieldapp.worker.jobs import deliver_pending, issue_pending
from tests import factories
from tests.factories import doa_actions, published_stop, stock_unit

PERSON = {
    "name": "Rosa Quispe Mamani",
    "phone": "912345678",
    "email": "rosa.quispe@correo.example",
    "document_id": "41234567",
    "address": "Jr. Huallaga 455",
}


def ended(case: Case, days: int, status: Status = Status.CLOSED) -> Case:
    """Make `case` end `days` ago (set up directly: the flow is tested elsewhere)."""
    case.status = status
    case.closed_at = utcnow() - timedelta(days=days) if status is Status.CLOSED else None
    db.session.commit()
    if status is not Status.CLOSED:  # void/cancelled cases end at their last change
        db.session.execute(
            Case.__table__.update()
            .where(Case.id == case.id)
            .values(updated_at=utcnow() - timedelta(days=days))
        )
        db.session.commit()
    return case


@pytest.fixture
def delivered(app) -> Case:
    """A DOA swap done through the courier's phone: photo, signature, mail, delivery note."""
    courier = factories.user(Role.COURIER)
    job = published_stop(courier, customer=PERSON)
    stock_unit()
    for raw in doa_actions(job):
        assert sync.apply(courier, raw).status == 200
    db.session.commit()
    assert issue_pending().failed == 0
    deliver_pending()
    db.session.commit()
    return job.case


def snapshot(case: Case) -> dict:
    """The statistics that must survive anonymisation."""
    job = db.session.scalar(select(Job).where(Job.case_id == case.id))
    return {
        "case": (
            case.case_number,
            case.flow,
            case.status,
            case.received_at,
            case.closed_at,
            case.purchase_date,
            case.ubigeo,
            case.unit.service_number,
        ),
        "deadlines": [(d.name, d.due_at, d.done_at) for d in case.deadlines],
        "job": (
            job.kind,
            job.status,
            job.arrived_at,
            job.completed_at,
            job.checked_service_number,
            job.replacement_service_number,
        ),
        "documents": [
            (d.number, d.sha256)
            for d in db.session.scalars(select(Document).where(Document.case_id == case.id))
        ],
    }


def test_export_has_everything_about_the_customer(delivered, runner, tmp_path):
    out = tmp_path / "rosa.json"
    result = runner.invoke(args=["export-customer", "--document-id", "41234567", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    (customer,) = data["customers"]
    assert customer["name"] == "Rosa Quispe Mamani" and customer["phone"] == "912345678"
    assert customer["email"] == PERSON["email"] and customer["address"] == PERSON["address"]
    (case,) = customer["cases"]
    assert case["case_number"] == delivered.case_number and case["status"] == "swapped"
    assert case["unit"]["service_number"] == delivered.unit.service_number
    assert [d["name"] for d in case["deadlines"]] == ["swap"]
    (job,) = case["jobs"]
    assert job["signer_name"] == "María Flores" and job["signer_document_id"] == "45678912"
    assert job["arrival_lat"] == -12.1
    assert sorted(a["kind"] for a in case["attachments"]) == ["document", "photo", "signature"]
    assert all(a["storage_name"].endswith((".jpg", ".png", ".pdf")) for a in case["attachments"])
    assert [d["doc_type"] for d in case["documents"]] == ["doa_delivery"]
    assert "created" in [e["action"] for e in case["audit"]]
    assert customer["messages"] and all(
        m["to_address"] == PERSON["email"] for m in customer["messages"]
    )
    exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_exported"))
    assert exported.entity_id == customer["id"] and "41234567" not in (exported.note or "")


def test_export_to_stdout_and_by_case(delivered, runner):
    result = runner.invoke(
        args=["export-customer", "--document-id", "41234567", "--case", delivered.case_number]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["customers"][0]["cases"][0]["id"] == delivered.id
    wrong = runner.invoke(args=["export-customer", "--document-id", "41234567", "--case", "X-1"])
    assert wrong.exit_code == 1
    assert "No hay datos de un cliente con documento 41234567 en el caso X-1" in wrong.output


def test_anonymising_clears_personal_data_and_keeps_the_statistics(delivered, runner):
    ended(delivered, days=2000)
    kept = snapshot(delivered)
    job = db.session.scalar(select(Job).where(Job.case_id == delivered.id))
    files = [
        (a.sha256, a.content_type)
        for a in db.session.scalars(
            select(Attachment).where(
                Attachment.case_id == delivered.id, Attachment.kind != "document"
            )
        )
    ]
    assert len(files) == 2 and all(media.exists(*file) for file in files)
    note = db.session.scalar(select(Document).where(Document.case_id == delivered.id))
    sent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.recipient_role == "customer"
        )
    )
    assert sent >= 1

    result = runner.invoke(args=["anonymise-customers", "--older-than-days", "1825"])

    assert result.exit_code == 0, result.output
    assert "clientes anonimizados 1" in result.output and note.number in result.output
    db.session.expire_all()
    customer = db.session.get(Customer, delivered.customer_id)
    assert customer.name == privacy.ANONYMOUS_NAME and customer.anonymised_at is not None
    assert (customer.phone, customer.email, customer.document_id, customer.address) == (None,) * 4
    assert (customer.lat, customer.lon) == (None, None) and customer.ubigeo == "150122"
    job = db.session.get(Job, job.id)
    assert (job.signer_name, job.signer_document_id, job.address, job.tracking_token) == (None,) * 4
    assert (job.arrival_lat, job.arrival_lon) == (-12.1, -77.03)
    assert not any(media.exists(*file) for file in files)
    assert (
        db.session.scalar(select(func.count(Attachment.id)).where(Attachment.kind != "document"))
        == 0
    )
    assert issuing.pdf_bytes(note).startswith(b"%PDF")  # the legal record stays
    to_customer = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_role == "customer")
    ).all()
    assert len(to_customer) == sent
    assert all(m.to_address == privacy.REDACTED_ADDRESS for m in to_customer)
    assert all(
        m.body_text == privacy.REDACTED and m.subject == privacy.REDACTED for m in to_customer
    )
    admin_mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_role == "case_admin")
    ).all()
    assert admin_mail and all(m.to_address == "case.admin@kodak.example" for m in admin_mail)
    assert snapshot(db.session.get(Case, delivered.id)) == kept
    run = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_anonymised"))
    assert run.data["customer_ids"] == [customer.id] and run.data["documents_kept"] == [note.number]
    again = runner.invoke(args=["anonymise-customers", "--older-than-days", "1825"])
    assert "clientes anonimizados 0" in again.output


def test_only_customers_whose_cases_all_ended_long_ago_are_anonymised(app, runner):
    factories.programme()
    old_closed = ended(factories.case(), days=2000)
    old_void = ended(factories.case(), days=2000, status=Status.VOID)
    recent = ended(factories.case(), days=30)
    still_open = factories.case(received_at=utcnow() - timedelta(days=2100))
    mixed = ended(factories.case(), days=2000)
    other = factories.case()  # open, and moved to the same customer row as `mixed`
    other.customer_id = mixed.customer_id
    db.session.commit()
    deadlines = db.session.scalar(select(func.count(CaseDeadline.id)))

    dry = runner.invoke(args=["anonymise-customers", "--older-than-days", "1825", "--dry-run"])
    assert "clientes por anonimizar (casos terminados hace más de 1825 días): 2" in dry.output
    assert (
        db.session.scalar(
            select(func.count(Customer.id)).where(Customer.anonymised_at.is_not(None))
        )
        == 0
    )
    report = privacy.anonymise_customers(1825)
    db.session.commit()

    assert sorted(report.customer_ids) == sorted([old_closed.customer_id, old_void.customer_id])
    for case in (recent, still_open, mixed):
        assert db.session.get(Customer, case.customer_id).name == "María Flores"
    assert db.session.scalar(select(func.count(CaseDeadline.id))) == deadlines
    assert db.session.scalar(select(func.count(Case.id))) == 6


def test_the_retention_setting_is_the_default(app, runner):
    factories.programme()
    case = ended(factories.case(), days=40)
    app.config["RETENTION_DAYS"] = 30
    result = runner.invoke(args=["anonymise-customers"])
    assert "clientes anonimizados 1 (casos terminados hace más de 30 días)" in result.output
    assert db.session.get(Customer, case.customer_id).document_id is None
