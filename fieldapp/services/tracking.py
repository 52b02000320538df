"""The customer's view of a published visit, or of a shipment by agency: where it stands, with
no personal data beyond the customer's first name and district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from fieldapp.domain.case_flow import STATUS_LABELS
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Job, Route
from fieldapp.services import shipments
from fieldapp.services.publishing import visit_window


@dataclass(frozen=True)
class Tracking:
    """What the public page shows."""

    first_name: str
    district: str
    case_status: str
    window: tuple[datetime, datetime] | None
    state: str  # waiting, next, here, done, failed, cancelled, carrier
    stops_before: int
    # Sent by agency: (carrier, tracking number, state) of each leg.
    shipments: tuple[tuple[str, str, str], ...] = ()


def find(token: str) -> Tracking | None:
    """The visit with this tracking token, while its route is published (else None)."""
    if not token or len(token) > 64:
        return None
    job = db.session.scalar(select(Job).where(Job.tracking_token == token))
    if job is None:
        return None
    route = db.session.get(Route, job.route_id) if job.route_id else None
    before = 0
    if route is not None and job.sequence is not None:
        before = db.session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.route_id == route.id,
                Job.sequence < job.sequence,
                Job.status.in_([JobStatus.PLANNED, JobStatus.IN_PROGRESS]),
            )
        )
    district = Gazetteer.default().get(job.ubigeo)
    carried = job.mode is JobMode.CARRIER
    state = _state(job, route, before)
    if carried and state == "cancelled":
        state = "carrier"
    return Tracking(
        first_name=job.case.customer.first_name,
        district=district.district if district else "",
        case_status=STATUS_LABELS[job.case.status],
        window=visit_window(job),
        state=state,
        stops_before=before,
        shipments=tuple(shipments.by_tracking(job)) if carried else (),
    )


def _state(job: Job, route: Route | None, before: int) -> str:
    if job.status in (JobStatus.DONE, JobStatus.APPROVED):
        return "done"
    if job.status is JobStatus.FAILED:
        return "failed"
    if job.status is JobStatus.IN_PROGRESS:
        return "here"
    if route is None or route.published_at is None or job.status is JobStatus.CANCELLED:
        return "cancelled"
    return "next" if before == 0 else "waiting"
