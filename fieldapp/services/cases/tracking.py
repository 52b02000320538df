"""The customer's view of a published visit, or of a shipment by agency: where it stands, with
no personal data beyond the customer's first name and district, and how to reach the ST to
reschedule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import current_app
from sqlalchemy import func, select

from fieldapp.domain.case_flow import STATUS_LABELS
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Job, Route
from fieldapp.services.dispatch import carrier_shipments
from fieldapp.services.dispatch.publishing import visit_window

# What the visit was for, as the customer would say it.
PURPOSE = {
    JobKind.DOA_SWAP: "cambiar su equipo",
    JobKind.STORE_SWAP: "cambiar el equipo en la tienda",
    JobKind.PICKUP: "recoger su equipo",
    JobKind.STORE_PICKUP: "recoger el equipo en la tienda",
    JobKind.RETURN: "entregarle su equipo reparado",
}
# Why the visit failed, in plain words.
FAILURE_WORDS = {
    FailureReason.NOT_HOME: "no encontró a nadie en la dirección",
    FailureReason.WRONG_ADDRESS: "no pudo encontrar la dirección que tenemos registrada",
    FailureReason.REFUSED: "en la dirección no aceptaron la visita",
    FailureReason.UNIT_NOT_READY: "el equipo no estaba listo",
    FailureReason.OTHER: "no se pudo completar la visita",
}


@dataclass(frozen=True)
class Contact:
    """How the customer reaches the ST: a phone to call and a WhatsApp chat."""

    phone: str
    tel_url: str
    whatsapp: str
    whatsapp_url: str


@dataclass(frozen=True)
class Tracking:
    """What the public page shows."""

    first_name: str
    district: str
    case_status: str
    window: tuple[datetime, datetime] | None
    state: str  # waiting, next, here, done, failed, cancelled, carrier
    stops_before: int
    eta: datetime | None = None
    failure: str = ""  # after a failed visit: what happened, in plain words
    next_window: tuple[datetime, datetime] | None = None  # the new visit, once published
    contact: Contact | None = None
    # Sent by agency: (carrier, tracking number, state) of each leg, and the expected arrival.
    shipments: tuple[tuple[str, str, str], ...] = ()
    arrival: datetime | None = None


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
    if carried and state in ("cancelled", "here"):
        # Off any route, and under way from the hand-over to the agency: no courier at the door.
        state = "carrier"
    return Tracking(
        first_name=job.case.customer.first_name,
        district=district.district if district else "",
        case_status=STATUS_LABELS[job.case.status],
        window=visit_window(job),
        state=state,
        stops_before=before,
        eta=job.eta if state in ("waiting", "next") else None,
        failure=failure_words(job) if state == "failed" else "",
        next_window=_next_window(job) if state == "failed" else None,
        contact=contact(job.case.case_number, job.case.customer.first_name),
        shipments=tuple(carrier_shipments.by_tracking(job)) if carried else (),
        arrival=carrier_shipments.tracking_arrival(job) if carried and state == "carrier" else None,
    )


def failure_words(job: Job) -> str:
    """'El 02/12 a las 10:40 nuestro courier fue a recoger su equipo, pero no encontró a nadie
    en la dirección.' — or, for a job sent by agency, that the agency sent it back."""
    at = job.completed_at or job.arrived_at
    when = f"El {at.astimezone(LIMA_TZ):%d/%m} a las {at.astimezone(LIMA_TZ):%H:%M} " if at else ""
    if job.mode is JobMode.CARRIER:
        sentence = f"{when}la agencia de transportes nos devolvió el envío sin entregarlo."
        return sentence[0].upper() + sentence[1:]
    why = FAILURE_WORDS.get(job.failure_reason, FAILURE_WORDS[FailureReason.OTHER])
    sentence = f"{when}nuestro courier fue a {PURPOSE[job.kind]}, pero {why}."
    return sentence[0].upper() + sentence[1:]


def contact(case_number: str, first_name: str) -> Contact | None:
    """The ST's phone and WhatsApp (settings), the chat opened with the case number."""
    config = current_app.config
    phone, whatsapp = config.get("ST_PHONE", ""), re.sub(r"\D", "", config.get("ST_WHATSAPP", ""))
    if not phone and not whatsapp:
        return None
    text = f"Hola, soy {first_name}. Quiero coordinar una nueva visita para el caso {case_number}."
    return Contact(
        phone=phone,
        tel_url="tel:" + re.sub(r"[^\d+]", "", phone) if phone else "",
        whatsapp=f"+{whatsapp}" if whatsapp else "",
        whatsapp_url=f"https://wa.me/{whatsapp}?text={quote(text)}" if whatsapp else "",
    )


def _next_window(job: Job) -> tuple[datetime, datetime] | None:
    """The window of the case's next visit once it is on a published route."""
    later = db.session.scalar(
        select(Job)
        .join(Route, Job.route_id == Route.id)
        .where(
            Job.case_id == job.case_id,
            Job.id != job.id,
            Job.status.in_([JobStatus.PLANNED, JobStatus.IN_PROGRESS]),
            Route.published_at.is_not(None),
        )
        .order_by(Job.id.desc())
    )
    return visit_window(later) if later is not None else None


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
