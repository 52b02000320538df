"""Ley 29733: what the ST holds about a customer (access requests), and anonymising customers
whose cases ended long ago while keeping the case statistics.

Anonymising keeps flows, dates, deadlines, service numbers and issued documents (legal
records: their PDFs stay, and the run lists them); it clears the customer's contact data,
the signer's name and DNI and the address on their visits, rounds visit coordinates to about
a kilometre, deletes their photos and signatures and redacts the mail written to them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case as when
from sqlalchemy import func, inspect, or_, select

from fieldapp.domain.case_flow import TERMINAL
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import (
    Attachment,
    AttachmentKind,
    AuditEvent,
    Case,
    Customer,
    Document,
    Job,
    OutboxMessage,
)
from fieldapp.models.types import utcnow
from fieldapp.services import audit

ANONYMOUS_NAME = "Cliente anonimizado"
REDACTED = "[anonimizado]"
REDACTED_ADDRESS = "anonimizado@invalid"
COORDINATE_DECIMALS = 2  # about 1 km: the district, not the house
PERSONAL_KINDS = (AttachmentKind.PHOTO, AttachmentKind.SIGNATURE)


class PrivacyError(LookupError):
    """No customer matches the request; the message says what was looked for."""


def _plain(value):
    """A column value as JSON has it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj) -> dict:
    """Every column of a model instance, JSON-ready."""
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in inspect(obj).mapper.column_attrs}


def _customers(document_id: str, case_number: str | None) -> list[Customer]:
    """The customers with this DNI (one row per intake), or the one of `case_number`.

    :raises PrivacyError: when none matches.
    """
    document_id = document_id.strip()
    stmt = select(Customer).where(Customer.document_id == document_id).order_by(Customer.id)
    if case_number:
        stmt = stmt.join(Case, Case.customer_id == Customer.id).where(
            Case.case_number == case_number.strip()
        )
    found = list(db.session.scalars(stmt))
    if not found:
        where = f" en el caso {case_number}" if case_number else ""
        raise PrivacyError(f"No hay datos de un cliente con documento {document_id}{where}.")
    return found


def _messages(customer: Customer, case_ids: list[int]):
    """The outbox rows written to this customer."""
    to_them = (OutboxMessage.case_id.in_(case_ids)) & (OutboxMessage.recipient_role == "customer")
    if customer.email:
        to_them = or_(to_them, OutboxMessage.to_address == customer.email)
    return select(OutboxMessage).where(to_them).order_by(OutboxMessage.id)


def export_customer(document_id: str, case_number: str | None = None) -> dict:
    """Everything stored about the customer with this DNI (optionally only `case_number`'s):
    customer rows, cases with deadlines, visits with their evidence, attachments, documents,
    audit notes and the mail sent to them. The export itself is audited.

    :raises PrivacyError: when no customer matches.
    """
    exported = []
    for customer in _customers(document_id, case_number):
        stmt = select(Case).where(Case.customer_id == customer.id).order_by(Case.id)
        if case_number:
            stmt = stmt.where(Case.case_number == case_number.strip())
        cases = list(db.session.scalars(stmt))
        case_ids = [c.id for c in cases]
        entry = _row(customer)
        entry["cases"] = [_case_export(c) for c in cases]
        entry["messages"] = [_row(m) for m in db.session.scalars(_messages(customer, case_ids))]
        exported.append(entry)
        audit.record(
            "customer_exported",
            entity="customer",
            entity_id=customer.id,
            actor=None,
            note=f"Exportación de datos personales ({len(cases)} casos).",
        )
    db.session.flush()
    return {
        "exported_at": utcnow().isoformat(),
        "document_id": document_id.strip(),
        "case_number": case_number,
        "customers": exported,
    }


def _case_export(case: Case) -> dict:
    """One case with its unit, deadlines, visits, attachments, documents and audit trail."""
    entry = _row(case)
    entry["unit"] = _row(case.unit)
    entry["deadlines"] = [_row(d) for d in case.deadlines]
    entry["jobs"] = [
        _row(job)
        for job in db.session.scalars(select(Job).where(Job.case_id == case.id).order_by(Job.id))
    ]
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    )
    entry["attachments"] = [{**_row(a), "storage_name": a.storage_name} for a in attachments]
    documents = db.session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.id)
    )
    entry["documents"] = [
        {
            "number": d.number,
            "doc_type": d.doc_type.value,
            "issued_at": _plain(d.issued_at),
            "sha256": d.sha256,
            "valid": d.is_valid,
        }
        for d in documents
    ]
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
    )
    entry["audit"] = [_row(e) for e in events]
    return entry


@dataclass
class AnonymiseReport:
    """What one anonymisation run changed."""

    older_than_days: int
    customer_ids: list[int] = field(default_factory=list)
    cases: int = 0
    jobs: int = 0
    attachments_deleted: int = 0
    messages_redacted: int = 0
    messages_dropped: int = 0
    documents_kept: list[str] = field(default_factory=list)
    files_to_delete: list[str] = field(default_factory=list)  # media store keys

    def summary(self) -> str:
        """One line for the command's output (Spanish)."""
        return (
            f"clientes anonimizados {len(self.customer_ids)} (casos terminados hace más de "
            f"{self.older_than_days} días); casos {self.cases}; visitas {self.jobs}; "
            f"fotos y firmas borradas {self.attachments_deleted}; correos redactados "
            f"{self.messages_redacted}, descartados sin enviar {self.messages_dropped}; "
            f"documentos conservados {len(self.documents_kept)}"
        )


def due_for_anonymising(older_than_days: int, now: datetime | None = None) -> list[int]:
    """Ids of customers not yet anonymised whose cases all ended more than the given days ago
    (closed, void or cancelled; a case's end is its closing time, else its last change)."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    still_open = when((Case.status.in_(sorted(TERMINAL)), 0), else_=1)
    ended = func.coalesce(Case.closed_at, Case.updated_at)
    stmt = (
        select(Customer.id)
        .join(Case, Case.customer_id == Customer.id)
        .where(Customer.anonymised_at.is_(None))
        .group_by(Customer.id)
        .having(func.max(still_open) == 0, func.max(ended) < cutoff)
        .order_by(Customer.id)
    )
    return list(db.session.scalars(stmt))


def anonymise_customers(older_than_days: int, now: datetime | None = None) -> AnonymiseReport:
    """Anonymise every customer due (see `due_for_anonymising`) and audit the run. Media files
    are only listed in the report: delete them with `delete_files` once the change commits.

    :raises ValueError: for a negative number of days.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    now = now or utcnow()
    report = AnonymiseReport(older_than_days)
    for customer_id in due_for_anonymising(older_than_days, now):
        _anonymise(db.session.get(Customer, customer_id), now, report)
    if report.customer_ids:
        audit.record(
            "customers_anonymised",
            entity="customer",
            entity_id=None,
            actor=None,
            note=report.summary(),
            data={
                "customer_ids": report.customer_ids,
                "older_than_days": older_than_days,
                "documents_kept": report.documents_kept,
            },
        )
    db.session.flush()
    return report


def _anonymise(customer: Customer, now: datetime, report: AnonymiseReport) -> None:
    """Clear one customer's personal data from their row, visits, media and mail."""
    case_ids = list(db.session.scalars(select(Case.id).where(Case.customer_id == customer.id)))
    messages = list(db.session.scalars(_messages(customer, case_ids)))
    for message in messages:
        if message.sent_at is None:
            db.session.delete(message)  # never send it now
            report.messages_dropped += 1
        else:
            message.to_address, message.subject, message.body_text = (
                REDACTED_ADDRESS,
                REDACTED,
                REDACTED,
            )
            report.messages_redacted += 1
    customer.name = ANONYMOUS_NAME
    customer.phone = customer.email = customer.document_id = customer.address = None
    customer.lat = customer.lon = None
    customer.anonymised_at = now
    for job in db.session.scalars(select(Job).where(Job.case_id.in_(case_ids))):
        job.signer_name = job.signer_document_id = job.address = job.tracking_token = None
        job.lat, job.lon = _rounded(job.lat), _rounded(job.lon)
        job.arrival_lat, job.arrival_lon = _rounded(job.arrival_lat), _rounded(job.arrival_lon)
        report.jobs += 1
    personal = list(
        db.session.scalars(
            select(Attachment).where(
                Attachment.case_id.in_(case_ids), Attachment.kind.in_(PERSONAL_KINDS)
            )
        )
    )
    for attachment in personal:
        db.session.delete(attachment)
    db.session.flush()
    for attachment in personal:
        still_used = db.session.scalar(
            select(Attachment.id).where(
                Attachment.sha256 == attachment.sha256,
                Attachment.content_type == attachment.content_type,
            )
        )
        key = media.relative_name(attachment.sha256, attachment.content_type)
        if still_used is None and key not in report.files_to_delete:
            report.files_to_delete.append(key)
    report.attachments_deleted += len(personal)
    report.documents_kept += db.session.scalars(
        select(Document.number).where(Document.case_id.in_(case_ids)).order_by(Document.id)
    )
    report.customer_ids.append(customer.id)
    report.cases += len(case_ids)


def _rounded(value: float | None) -> float | None:
    """A coordinate kept only to the district (about 1 km)."""
    return None if value is None else round(value, COORDINATE_DECIMALS)


def delete_files(report: AnonymiseReport) -> int:
    """Delete the media files an anonymisation freed (after its commit); returns how many."""
    store = media.backend()
    return sum(1 for key in report.files_to_delete if store.delete(key))
