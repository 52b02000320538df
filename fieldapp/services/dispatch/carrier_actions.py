"""Sending a job by agency instead of a courier's stop: dispatch books its shipments (the
customer is e-mailed the tracking numbers and expected arrival), records each state of each
shipment with evidence, and closes the job when the units arrived and the ST checked the unit it
got back; the job then goes to supervisor review like a courier's stop. What is known of the
shipments (legs, arrivals, open jobs) is read from `carrier_shipments`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fieldapp.domain import shipments as rules
from fieldapp.domain.case_flow import Notice
from fieldapp.domain.jobs import FailureReason, JobStatus
from fieldapp.domain.shipments import Direction, JobMode, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.infra import media, uploads
from fieldapp.models import Attachment, AttachmentPurpose, Job, Shipment, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.dispatch import publishing, route_edits
from fieldapp.services.dispatch.carrier_shipments import (
    arrival,
    carriers,
    facts_of,
    has_waybill_photo,
)
from fieldapp.services.dispatch.problem import PLANNABLE
from fieldapp.services.notifications import outbox


class ShipmentError(ValueError):
    """A shipment action that cannot be done (message in Spanish)."""


@dataclass(frozen=True)
class Booking:
    """What dispatch enters to send a job by agency: `cost` is the first leg's, `return_cost`
    the second's when the job has two (a swap's unit back to the ST)."""

    carrier: str
    agency_branch: str
    declared_units: int
    cost: Decimal | None
    waybills: dict[Direction, str]
    return_cost: Decimal | None = None


def book(job: Job, booking: Booking, actor: User) -> list[Shipment]:
    """Send `job` by agency: one shipment per leg its kind needs (a swap's two legs linked),
    off any route; the case counts as scheduled and the customer's tracking page shows the
    carrier. Flushes.

    :raises ShipmentError: when the job cannot be sent now or the booking is incomplete.
    """
    if job.status not in (*PLANNABLE, JobStatus.REJECTED) or job.mode is JobMode.CARRIER:
        raise ShipmentError("Este trabajo ya está en curso, cerrado o enviado por agencia.")
    if booking.carrier not in carriers():
        raise ShipmentError("Elija una agencia de la lista.")
    if job.route_id is not None:
        route_edits.remove(job, actor)
    legs = rules.LEGS[job.kind]
    made: list[Shipment] = []
    for direction in legs:
        shipment = Shipment(
            job=job,
            case_id=job.case_id,
            direction=direction,
            carrier=booking.carrier,
            waybill=(booking.waybills.get(direction) or "").strip().upper() or None,
            agency_branch=booking.agency_branch.strip() or None,
            declared_units=booking.declared_units,
            cost=booking.cost if direction is legs[0] else booking.return_cost,
            booked_by_id=actor.id,
        )
        db.session.add(shipment)
        made.append(shipment)
    db.session.flush()
    if len(made) == 2:
        made[0].linked_id, made[1].linked_id = made[1].id, made[0].id
    job.mode = JobMode.CARRIER
    job.route_id, job.sequence, job.eta, job.locked = None, None, None, False
    job.status = JobStatus.PLANNED
    job.tracking_token = job.tracking_token or secrets.token_urlsafe(32)
    waybills = ", ".join(s.waybill or "guía por asignar" for s in made)
    note = f"Enviado por {booking.carrier} ({waybills})"
    audit.record(
        "job_carrier_booked",
        entity="job",
        entity_id=job.id,
        case_id=job.case_id,
        actor=actor,
        note=note,
    )
    visits.on_scheduled(job, actor, note)
    db.session.flush()
    _tell_customer(job, made)
    return made


def _tell_customer(job: Job, made: list[Shipment]) -> None:
    """E-mail the customer (when the case has an address) the agency, the tracking numbers,
    the branch, the expected arrival and the tracking page."""
    first = made[0]
    outbox.queue(
        job.case,
        Notice.CARRIER_BOOKED,
        at=first.booked_at,
        carrier=outbox.CarrierBooking(
            job_id=job.id,
            carrier=first.carrier,
            agency_branch=first.agency_branch or "",
            legs=tuple((s.direction.value, s.waybill, arrival(s)) for s in made),
            tracking_url=publishing.tracking_url(job),
        ),
    )


@dataclass(frozen=True)
class Move:
    """A shipment reaching its next state, with what the agency gave back."""

    status: ShipmentStatus
    at: datetime | None = None
    waybill: str | None = None
    waybill_photo: bytes | None = None
    receiver_name: str | None = None
    receiver_document_id: str | None = None
    receiver_signature: bytes | None = None  # as the agency returns it, with the delivery


def advance(shipment: Shipment, move: Move, actor: User) -> None:
    """Record a shipment's next state (hand-over needs the waybill and its photo; a delivery may
    keep the receiver's signature the agency returned). The job is under way from the first
    hand-over; a shipment returned by the agency fails the job, which goes back to dispatch.
    Flushes.

    :raises ShipmentError: for a move the state table refuses, or evidence missing.
    """
    job = shipment.job
    if job.status not in (JobStatus.PLANNED, JobStatus.IN_PROGRESS, JobStatus.REJECTED):
        raise ShipmentError("El trabajo de este envío ya está cerrado.")
    if move.waybill and move.waybill.strip():
        shipment.waybill = move.waybill.strip().upper()
    if move.waybill_photo:
        _store_photo(job, AttachmentPurpose.WAYBILL, move.waybill_photo, actor, shipment)
    try:
        rules.check_move(
            shipment.status,
            move.status,
            shipment.waybill,
            has_waybill_photo(shipment),
            receiver_signature=bool(move.receiver_signature),
        )
    except rules.ShipmentRuleError as exc:
        raise ShipmentError(str(exc)) from None
    if move.receiver_signature:
        _store_photo(
            job,
            AttachmentPurpose.RECEIVER_SIGNATURE,
            move.receiver_signature,
            actor,
            shipment,
            label="Firma",
        )
    at = move.at or utcnow()
    previous, shipment.status = shipment.status, move.status
    setattr(shipment, f"{move.status.value}_at", at)
    if move.status is ShipmentStatus.DELIVERED:
        shipment.receiver_name = (move.receiver_name or "").strip() or None
        shipment.receiver_document_id = (move.receiver_document_id or "").strip() or None
    audit.record(
        f"shipment_{move.status.value}",
        entity="shipment",
        entity_id=shipment.id,
        case_id=shipment.case_id,
        actor=actor,
        from_status=previous.value,
        to_status=move.status.value,
        note=f"{shipment.carrier} {shipment.waybill or ''}".strip(),
    )
    if move.status is ShipmentStatus.HANDED_OVER and job.status is JobStatus.PLANNED:
        visits.arrive(job, actor, at=at)
    if move.status is ShipmentStatus.RETURNED and job.status in (
        JobStatus.PLANNED,
        JobStatus.IN_PROGRESS,
    ):
        visits.fail(
            job,
            actor,
            FailureReason.OTHER,
            note=f"{shipment.carrier} devolvió el envío {shipment.waybill or ''}".strip(),
            at=at,
        )
    db.session.flush()


def _store_photo(
    job: Job,
    purpose: str,
    data: bytes,
    actor: User,
    shipment: Shipment | None = None,
    *,
    label: str = "Foto",
) -> None:
    """Clean and store a photo on the job (and its shipment).

    :raises ShipmentError: when the file is not an acceptable image (`label` names it).
    """
    try:
        clean = uploads.clean_photo(data)
    except uploads.UploadError as exc:
        raise ShipmentError(f"{label}: {exc}") from None
    db.session.add(
        Attachment(
            case_id=job.case_id,
            job_id=job.id,
            shipment_id=shipment.id if shipment is not None else None,
            kind="photo",
            purpose=purpose,
            sha256=media.store(clean.data, clean.content_type),
            content_type=clean.content_type,
            size_bytes=len(clean.data),
            width=clean.width,
            height=clean.height,
            uploaded_by_id=actor.id,
        )
    )
    db.session.flush()


@dataclass(frozen=True)
class Reception:
    """What the ST checks when the units' journey ended: the unit it got back (or sent)."""

    checked_service_number: str | None
    replacement_service_number: str | None
    refilled: bool | None
    photos: dict[str, bytes]


def close(job: Job, reception: Reception, actor: User) -> visits.Outcome:
    """Record the ST's check and close a job sent by agency; it goes to supervisor review with
    its deadline measured at the customer's hand-over or reception. Flushes.

    :raises ShipmentError: listing what is still missing.
    """
    if job.mode is not JobMode.CARRIER:
        raise ShipmentError("Este trabajo no se envió por agencia.")
    if reception.checked_service_number:
        job.checked_service_number = reception.checked_service_number.strip().upper()
    if reception.replacement_service_number:
        job.replacement_service_number = reception.replacement_service_number.strip().upper()
    if reception.refilled is not None:
        job.refilled_cartridges = reception.refilled
    for purpose, data in reception.photos.items():
        _store_photo(job, purpose, data, actor)
    when = rules.done_at(job.kind, facts_of(job))
    try:
        return visits.complete(job, actor, at=when)
    except visits.JobError as exc:
        raise ShipmentError(str(exc)) from None
