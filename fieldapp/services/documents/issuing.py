"""Issuing documents, by the worker: a requested document (see `requests`) is issued in one
short transaction: take the next number of the series (an UPDATE that locks the series row),
render the PDF with that number, store its bytes by SHA-256, add the `Document`, commit. A render
that fails rolls all of it back — no number is consumed — and the request is retried later with
backoff. An issued document is frozen: a new one supersedes it, its bytes are never rewritten.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.notices import Recipient, retry_delay
from fieldapp.extensions import db
from fieldapp.infra import media, pdf_render
from fieldapp.models import (
    Attachment,
    AttachmentKind,
    AttachmentPurpose,
    Case,
    DocType,
    Document,
    DocumentRequest,
    DocumentSeries,
    OutboxMessage,
    Route,
)
from fieldapp.models.document import DOC_PREFIX, DOC_TITLES
from fieldapp.models.types import utcnow
from fieldapp.services.documents import facts
from fieldapp.services.notifications import outbox

log = logging.getLogger(__name__)

# Documents the customer and the Case Admin receive by e-mail.
MAILED = frozenset(
    {
        DocType.DOA_DELIVERY,
        DocType.PICKUP_RECEIPT,
        DocType.RECEPTION_RECEIPT,
        DocType.REPAIR_DELIVERY,
    }
)
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
SHORT_CODE_LENGTH = 8


@dataclass
class IssueReport:
    """What one issuing run did."""

    issued: int = 0
    failed: int = 0
    skipped: int = 0

    def summary(self) -> str:
        """The one-line Spanish summary the CLI prints."""
        return f"emitidos {self.issued}, fallidos {self.failed}, omitidos {self.skipped}"


def due_request_ids(now: datetime, limit: int) -> list[int]:
    """The ids of up to `limit` requests due for issuing, oldest first."""
    return list(
        db.session.scalars(
            select(DocumentRequest.id)
            .where(DocumentRequest.done_at.is_(None), DocumentRequest.next_attempt_at <= now)
            .order_by(DocumentRequest.next_attempt_at, DocumentRequest.id)
            .limit(limit)
        )
    )


def issue(request_id: int, now: datetime | None = None) -> Document | None:
    """Issue one request: number, render and store it, in the caller's transaction (None if it
    was issued already). Flushes; the worker commits.

    :raises Exception: whatever rendering or storing raised; the caller rolls back and nothing
        (number included) is kept.
    """
    now = now or utcnow()
    # Locks the request (FOR UPDATE; on SQLite the transaction is BEGIN IMMEDIATE): a second
    # worker on the same request waits, then finds it done.
    queued = db.session.get(DocumentRequest, request_id, with_for_update=True)
    if queued is None or queued.done_at is not None:
        return None
    year = now.astimezone(LIMA_TZ).year
    sequence = take_number(queued.doc_type, year)
    document = Document(
        number=f"{DOC_PREFIX[queued.doc_type]}-{year}-{sequence:06d}",
        doc_type=queued.doc_type,
        year=year,
        sequence=sequence,
        case_id=queued.case_id,
        job_id=queued.job_id,
        route_id=queued.route_id,
        request_id=queued.id,
        token=secrets.token_urlsafe(24),
        short_code="".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH)),
        issued_at=now,
        supersedes_id=queued.supersedes_id,
    )
    context = facts.build(queued, document, verify_urls(document))
    pdf = pdf_render.render(queued.doc_type.value, **context)
    document.sha256 = media.store(pdf, "application/pdf")
    document.size_bytes = len(pdf)
    if document.case_id is not None:
        attachment = Attachment(
            case_id=document.case_id,
            job_id=document.job_id,
            kind=AttachmentKind.DOCUMENT,
            purpose=AttachmentPurpose.DOCUMENT,
            sha256=document.sha256,
            content_type="application/pdf",
            size_bytes=len(pdf),
            created_at=now,
        )
        db.session.add(attachment)
        db.session.flush()
        document.attachment_id = attachment.id
    db.session.add(document)
    db.session.flush()
    if queued.supersedes_id is not None:
        old = db.session.get(Document, queued.supersedes_id)
        if old is not None and old.superseded_by_id is None:
            old.superseded_by_id = document.id
    queued.done_at = now
    queued.last_error = None
    if document.case_id is not None and document.doc_type in MAILED:
        _queue_mail(db.session.get(Case, document.case_id), document, now)
    db.session.flush()
    return document


def take_number(doc_type: DocType, year: int) -> int:
    """The next number of a series, in the caller's transaction: the UPDATE locks the series
    row until commit, so concurrent issuers wait instead of sharing a number."""
    where = (DocumentSeries.doc_type == doc_type, DocumentSeries.year == year)
    for _ in range(3):
        bumped = db.session.execute(
            update(DocumentSeries)
            .where(*where)
            .values(last_number=DocumentSeries.last_number + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount == 1:
            return db.session.scalar(select(DocumentSeries.last_number).where(*where))
        try:  # the first document of the year: start the series (another issuer may race us)
            with db.session.begin_nested():
                db.session.add(DocumentSeries(doc_type=doc_type, year=year, last_number=0))
        except IntegrityError:
            continue
    raise RuntimeError(f"cannot take a number in series {doc_type.value}/{year}")


def record_failure(request_id: int, exc: Exception, now: datetime) -> None:
    """Note a failed attempt on the request and when to try again (flushes)."""
    queued = db.session.get(DocumentRequest, request_id)
    if queued is None or queued.done_at is not None:
        return
    queued.attempts += 1
    queued.last_error = f"{type(exc).__name__}: {exc}"[:200]
    queued.next_attempt_at = now + retry_delay(queued.attempts)
    db.session.flush()
    log.warning("document request %s not issued (attempt %s)", request_id, queued.attempts)


def _queue_mail(case: Case, document: Document, now: datetime) -> None:
    """E-mail the PDF to the Case Admin and to the customer when an address is known."""
    addresses = {
        Recipient.CASE_ADMIN: outbox.clean_address(case.programme.case_admin_email),
        Recipient.CUSTOMER: outbox.clean_address(case.customer.email),
    }
    title = DOC_TITLES[document.doc_type]
    body = (
        f"Adjuntamos el documento {document.number} ({title}) del caso {case.case_number}, "
        f"equipo con número de servicio {case.unit.service_number}.\n\n"
        f"Puede verificarlo en {verify_urls(document)['short']}\n\n"
        f"{current_app.config['ST_NAME']}\n{current_app.config['ST_ADDRESS']}\n"
    )
    for recipient, address in addresses.items():
        if address is None:
            continue
        db.session.add(
            OutboxMessage(
                idempotency_key=f"document:{document.id}:{recipient.value}",
                case_id=case.id,
                notice="document",
                recipient_role=recipient.value,
                to_address=address,
                subject=f"{title} {document.number} – caso {case.case_number}",
                body_text=body,
                created_at=now,
                next_attempt_at=now,
                document_id=document.id,
            )
        )


def verify_urls(document: Document) -> dict[str, str]:
    """The public verification addresses: by token (in the QR) and by short code (typed)."""
    base = current_app.config["PUBLIC_URL"]
    code = document.short_code
    return {"token": f"{base}/d/{document.token}", "short": f"{base}/d/{code[:4]}-{code[4:]}"}


def pdf_bytes(document: Document) -> bytes:
    """The frozen bytes of an issued document.

    :raises FileNotFoundError: when the stored file is missing.
    """
    return media.read(document.sha256, "application/pdf")


def route_sheet(route: Route) -> Document | None:
    """The route's current route sheet (None until the first one is issued)."""
    return db.session.scalar(
        select(Document)
        .where(
            Document.route_id == route.id,
            Document.doc_type == DocType.ROUTE_SHEET,
            Document.superseded_by_id.is_(None),
        )
        .order_by(Document.id.desc())
    )


def for_case(case: Case) -> list[Document]:
    """The documents issued for a case, newest first."""
    return list(
        db.session.scalars(
            select(Document).where(Document.case_id == case.id).order_by(Document.id.desc())
        )
    )
