"""Document requests: a state change (a stop closed, a unit received at the counter, a route
published) adds a `DocumentRequest` in its own transaction, and queues the worker's
`issue_document` job once that transaction commits (see `issuing` for the rest). A stop closed
again, or a route published again, requests a new document that supersedes the previous one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldapp import background
from fieldapp.domain.case_flow import Event
from fieldapp.domain.jobs import JobKind, JobStatus
from fieldapp.extensions import db
from fieldapp.models import Case, DocType, Document, DocumentRequest, Job, Route
from fieldapp.models.types import utcnow

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


def request(
    doc_type: DocType,
    key: str,
    *,
    case: Case | None = None,
    job: Job | None = None,
    route: Route | None = None,
    supersedes: Document | None = None,
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
