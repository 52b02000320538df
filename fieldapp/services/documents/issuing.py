"""Issued documents: requested with the business change, issued after it, frozen once issued.

A state change (a stop closed, a unit received at the counter, a route published) adds a
`DocumentRequest` in its own transaction, and queues the worker's `issue_document` job once that
transaction commits. The job issues the request in one short transaction: take the next number
of the series (an UPDATE that locks the series row), render the PDF with that number, store its
bytes by SHA-256, add the `Document`, commit. A render that fails rolls all of it back — no
number is consumed — and the request is retried later with backoff. A correction is a new
document that supersedes the old.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fieldapp import background
from fieldapp.domain.case_flow import Event
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JobKind, JobStatus
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
    Job,
    OutboxMessage,
    Route,
)
from fieldapp.models.document import DOC_PREFIX, DOC_TITLES
from fieldapp.models.types import utcnow
from fieldapp.services.documents import facts
from fieldapp.services.notifications import outbox

log = logging.getLogger(__name__)

# Case event -> the document it produces, and the kinds of stop that may have caused it.
EVENT_DOCUMENTS: dict[Event, tuple[DocType, frozenset[JobKind]]] = {
    Event.SWAP: (DocType.DOA_DELIVERY, frozenset({JobKind.DOA_SWAP, JobKind.STORE_SWAP})),
    Event.PICK_UP: (DocType.PICKUP_RECEIPT, frozenset({JobKind.PICKUP, JobKind.STORE_PICKUP})),
    Event.RECEIVE_UNIT: (DocType.RECEPTION_RECEIPT, frozenset()),
    Event.RETURN_UNIT: (DocType.REPAIR_DELIVERY, frozenset({JobKind.RETURN})),
}
JOB_DOCUMENTS: dict[JobKind, DocType] = {
    JobKind.DOA_SWAP: DocType.DOA_DELIVERY,
    JobKind.STORE_SWAP: DocType.DOA_DELIVERY,
    JobKind.PICKUP: DocType.PICKUP_RECEIPT,
    JobKind.STORE_PICKUP: DocType.PICKUP_RECEIPT,
    JobKind.RETURN: DocType.REPAIR_DELIVERY,
}
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


# -- requests (in the caller's transaction) ---------------------------------------------------


def request(
    doc_type: DocType,
    key: str,
    *,
    case: Case | None = None,
    job: Job | None = None,
    route: Route | None = None,
    supersedes: Document | None = None,
    note: str | None = None,
) -> DocumentRequest | None:
    """Queue a document to issue; a request with the same key is not added twice. Flushes."""
    db.session.flush()  # ids for the key and the row
    if db.session.scalar(select(DocumentRequest.id).where(DocumentRequest.idempotency_key == key)):
        return None
    queued = DocumentRequest(
        idempotency_key=key,
        doc_type=doc_type,
        case_id=case.id if case is not None else None,
        job_id=job.id if job is not None else None,
        route_id=route.id if route is not None else None,
        supersedes_id=supersedes.id if supersedes is not None else None,
        note=note,
    )
    try:
        with db.session.begin_nested():
            db.session.add(queued)
    except IntegrityError:
        return None  # queued meanwhile by a concurrent transaction
    background.after_commit("issue_document", queued.id)
    return queued


def on_case_event(case: Case, event: Event, at: datetime) -> DocumentRequest | None:
    """Request the document a case event produces at the counter (reception receipt, a DOA
    swap or a collection there); an event caused by a stop just closed at `at` is left to
    `on_job_completed`. Flushes."""
    found = EVENT_DOCUMENTS.get(event)
    if found is None:
        return None
    doc_type, kinds = found
    if kinds and db.session.scalar(
        select(Job.id).where(
            Job.case_id == case.id,
            Job.kind.in_(kinds),
            Job.status == JobStatus.DONE,
            Job.completed_at == at,
        )
    ):
        return None
    return request(doc_type, f"{doc_type.value}:case:{case.id}:at:{at.isoformat()}", case=case)


def on_job_completed(job: Job) -> DocumentRequest | None:
    """Request the delivery note or pickup receipt of a stop closed as done; closing it again
    (after a supervisor sent it back) issues a new one that supersedes the first. Flushes."""
    doc_type = JOB_DOCUMENTS[job.kind]
    previous = db.session.scalar(
        select(Document)
        .where(
            Document.job_id == job.id,
            Document.doc_type == doc_type,
            Document.superseded_by_id.is_(None),
        )
        .order_by(Document.id.desc())
    )
    key = f"{doc_type.value}:job:{job.id}:{job.completed_at.isoformat()}"
    return request(doc_type, key, case=job.case, job=job, supersedes=previous)


def on_job_failed(job: Job) -> DocumentRequest | None:
    """Request the failed-visit certificate of a stop closed as failed. Flushes."""
    key = f"{DocType.FAILED_VISIT.value}:job:{job.id}"
    return request(DocType.FAILED_VISIT, key, case=job.case, job=job)


def on_route_published(route: Route) -> DocumentRequest | None:
    """Request the route sheet of a published route; a re-published route gets a new sheet that
    supersedes the previous one. Flushes."""
    stamp = (route.published_at or utcnow()).isoformat()
    previous = db.session.scalar(
        select(Document)
        .where(Document.route_id == route.id, Document.superseded_by_id.is_(None))
        .order_by(Document.id.desc())
    )
    key = f"{DocType.ROUTE_SHEET.value}:route:{route.id}:{stamp}"
    return request(DocType.ROUTE_SHEET, key, route=route, supersedes=previous)


def correct(document: Document, note: str) -> DocumentRequest:
    """Request a corrected copy of `document` that will supersede it (never an overwrite).

    :raises ValueError: when the document was already superseded or the note is empty.
    """
    if not document.is_valid:
        raise ValueError("Este documento ya fue reemplazado.")
    if not (note or "").strip():
        raise ValueError("Indique el motivo de la corrección.")
    key = f"{document.doc_type.value}:correct:{document.id}:{secrets.token_hex(4)}"
    made = request(
        document.doc_type,
        key,
        case=db.session.get(Case, document.case_id) if document.case_id else None,
        job=db.session.get(Job, document.job_id) if document.job_id else None,
        route=db.session.get(Route, document.route_id) if document.route_id else None,
        supersedes=document,
        note=note.strip(),
    )
    assert made is not None  # the key is fresh
    return made


# -- issuing (by the worker: one transaction each) ----------------------------------------------


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
