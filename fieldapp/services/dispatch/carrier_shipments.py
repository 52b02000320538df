"""Carrier shipments as dispatch, the customer and the supervisor see them: a job's legs by
agency, each leg's expected arrival (business days per agency) and whether it puts the job's
deadline at risk, the receiver's signatures, the jobs still travelling, the customer's tracking
lines, and which jobs to plan should go by agency. Reads only: booking, advancing and closing
are in `carrier_actions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from fieldapp.domain import shipments as rules
from fieldapp.domain import trips as trip_rules
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.geo import zone_for
from fieldapp.domain.jobs import OPEN_JOB, JobStatus
from fieldapp.domain.routing import Point
from fieldapp.domain.shipments import Direction, JobMode, ShipmentFacts
from fieldapp.extensions import db
from fieldapp.models import Attachment, AttachmentPurpose, Case, CourierProfile, Job, Shipment, User
from fieldapp.services.dispatch.problem import courier_for, travel_model


def carriers() -> tuple[str, ...]:
    """The agencies dispatch may choose from (FIELDAPP_CARRIERS)."""
    return tuple(current_app.config["CARRIERS"])


def of_job(job: Job) -> list[Shipment]:
    """The job's shipments in travel order (to the customer first)."""
    found = db.session.scalars(select(Shipment).where(Shipment.job_id == job.id)).all()
    order = list(Direction)
    return sorted(found, key=lambda s: (order.index(s.direction), s.id))


def has_waybill_photo(shipment: Shipment) -> bool:
    """Whether the shipment's waybill photo is stored."""
    return (
        db.session.scalar(
            select(Attachment.id).where(
                Attachment.shipment_id == shipment.id,
                Attachment.purpose == AttachmentPurpose.WAYBILL,
            )
        )
        is not None
    )


def _facts(shipment: Shipment, *, photo: bool = True) -> ShipmentFacts:
    """One shipment as plain facts (`photo=False` skips the waybill photo's query)."""
    return ShipmentFacts(
        direction=shipment.direction,
        status=shipment.status,
        waybill=shipment.waybill,
        waybill_photo=has_waybill_photo(shipment) if photo else False,
        handed_over_at=shipment.handed_over_at,
        delivered_at=shipment.delivered_at,
        booked_at=shipment.booked_at,
        carrier=shipment.carrier,
    )


def facts_of(job: Job) -> list[ShipmentFacts]:
    """The job's shipments as plain facts for the rules."""
    return [_facts(s) for s in of_job(job)]


def _transit_days(carrier: str, job: Job) -> int:
    """Business days `carrier` takes to reach the job's place (FIELDAPP_CARRIER_TRANSIT_DAYS)."""
    config = current_app.config
    return rules.transit_days(
        carrier,
        config["CARRIER_TRANSIT_DAYS"],
        config["CARRIER_TRANSIT_DEFAULT_DAYS"],
        by_road=trip_rules.by_road(job.ubigeo, config["NO_ROAD_DEPARTMENTS"]),
    )


def arrival(shipment: Shipment) -> datetime | None:
    """When the shipment should arrive (None once it arrived or came back)."""
    return rules.expected_arrival(
        _facts(shipment, photo=False), _transit_days(shipment.carrier, shipment.job)
    )


def deadline_arrival(job: Job) -> datetime | None:
    """The expected arrival the job's deadline waits for (the leg to the customer), if any."""
    leg = rules.deadline_leg(job.kind, [_facts(s, photo=False) for s in of_job(job)])
    return rules.expected_arrival(leg, _transit_days(leg.carrier, job)) if leg else None


def urgency_of(job: Job, status: Urgency | None, due_at: datetime) -> Urgency | None:
    """A job sent by agency whose deadline is on track is at risk when its expected arrival
    falls after the due time (a courier's job keeps `status`)."""
    if job.mode is not JobMode.CARRIER or status is not Urgency.ON_TRACK:
        return status
    return rules.urgency_with_arrival(status, deadline_arrival(job), due_at)


def receiver_signatures(legs: list[Shipment]) -> dict[int, Attachment]:
    """The receiver's signature returned by the agency, by shipment id (the latest of each)."""
    if not legs:
        return {}
    found = db.session.scalars(
        select(Attachment)
        .where(
            Attachment.shipment_id.in_([s.id for s in legs]),
            Attachment.purpose == AttachmentPurpose.RECEIVER_SIGNATURE,
        )
        .order_by(Attachment.id)
    )
    return {a.shipment_id: a for a in found}


def suggestions(jobs_to_plan: list[Job], couriers: list[tuple[User, CourierProfile]]) -> set[int]:
    """The ids of the jobs to plan that should go by agency: none of the working couriers can
    drive there, serve it and drive back within their shift (by the travel model)."""
    model = travel_model()
    people = [courier_for(user, profile) for user, profile in couriers]
    shifts = [c.shift_end_min - c.shift_start_min for c in people]
    bases = {c.depot.point for c in people}  # couriers sharing a base share the drive

    def beyond_shifts(job: Job) -> bool:
        place = Point(job.lat, job.lon, zone_for(job.ubigeo))
        minutes = {base: model.leg(base, place)[1] for base in bases}
        trips = [2 * minutes[c.depot.point] + job.service_minutes for c in people]
        return rules.carrier_suggested(trips, shifts)

    return {job.id for job in jobs_to_plan if beyond_shifts(job)}


@dataclass(frozen=True)
class OpenShipment:
    """A job sent by agency that is not closed yet, with its shipments."""

    job: Job
    shipments: list[Shipment]
    arrivals: dict[int, datetime | None]  # expected arrival by shipment id


def open_jobs(branch_id: int | None = None) -> list[OpenShipment]:
    """Jobs sent by agency still travelling or waiting to be closed, by deadline (of the cases
    `branch_id` serves; None: every branch)."""
    query = select(Job).where(
        Job.mode == JobMode.CARRIER,
        Job.status.in_([*OPEN_JOB, JobStatus.REJECTED]),
    )
    if branch_id is not None:
        query = query.join(Case, Job.case_id == Case.id).where(Case.branch_id == branch_id)
    found = db.session.scalars(query.order_by(Job.due_at))
    items = []
    for job in found:
        legs = of_job(job)
        items.append(OpenShipment(job, legs, {s.id: arrival(s) for s in legs}))
    return items


def by_tracking(job: Job) -> list[tuple[str, str, str]]:
    """What the customer's tracking page shows: (carrier, waybill, state) of each leg."""
    return [
        (
            s.carrier,
            s.waybill or "por asignar",
            f"{rules.DIRECTION_LABELS[s.direction]}: "
            f"{rules.SHIPMENT_STATUS_LABELS[s.status].lower()}",
        )
        for s in of_job(job)
    ]


def tracking_arrival(job: Job) -> datetime | None:
    """The expected arrival the customer is told: the unit travelling to them, else (a pickup)
    the unit's arrival at the ST."""
    legs = of_job(job)
    for direction in (Direction.TO_CUSTOMER, Direction.TO_ST):
        for leg in legs:
            if leg.direction is direction and (when := arrival(leg)) is not None:
                return when
    return None
