"""Carrier shipments: a job sent through a cargo/courier agency (waybill, agency branch) instead
of a courier's stop. A DOA swap by carrier is two linked shipments: the new unit out to the
customer and the failed unit back to the ST.

Plain rules: which legs a job needs, which state may follow which, what each state needs as
evidence, what is still missing before the job can be closed, and when the job counts as done
against its deadline; when a leg is expected to arrive (business days per carrier) and whether
that arrival puts the job's deadline at risk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fieldapp.domain.attachments import photo_phrase
from fieldapp.domain.deadlines import Urgency, add_business_days, end_of_day, lima_date
from fieldapp.domain.jobs import COLLECTS_UNIT, HANDS_OVER_NEW_UNIT, REQUIRED_PHOTOS, JobKind


class JobMode(StrEnum):
    """How the ST moves the unit of a job."""

    COURIER = "courier"  # a stop on a courier's route
    CARRIER = "carrier"  # shipped through a cargo/courier agency


class Direction(StrEnum):
    """Which way a shipment travels."""

    TO_CUSTOMER = "to_customer"  # new or repaired unit out to the customer (or store)
    TO_ST = "to_st"  # failed unit, or unit for repair, back to the ST


class ShipmentStatus(StrEnum):
    """Where a shipment stands at the agency."""

    BOOKED = "booked"
    HANDED_OVER = "handed_over"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"  # delivered at the door or picked up at the agency branch
    RETURNED = "returned"  # sent back to the sender by the agency


MODE_LABELS = {JobMode.COURIER: "Courier", JobMode.CARRIER: "Agencia"}
DIRECTION_LABELS = {
    Direction.TO_CUSTOMER: "Envío al cliente",
    Direction.TO_ST: "Retorno al servicio técnico",
}
SHIPMENT_STATUS_LABELS = {
    ShipmentStatus.BOOKED: "Reservado",
    ShipmentStatus.HANDED_OVER: "Entregado a la agencia",
    ShipmentStatus.IN_TRANSIT: "En tránsito",
    ShipmentStatus.DELIVERED: "Entregado / recogido",
    ShipmentStatus.RETURNED: "Devuelto al remitente",
}

S = ShipmentStatus
NEXT: dict[ShipmentStatus, tuple[ShipmentStatus, ...]] = {
    S.BOOKED: (S.HANDED_OVER,),
    S.HANDED_OVER: (S.IN_TRANSIT, S.DELIVERED, S.RETURNED),
    S.IN_TRANSIT: (S.DELIVERED, S.RETURNED),
    S.DELIVERED: (),
    S.RETURNED: (),
}

# The legs each kind of job needs, in the order they travel.
LEGS: dict[JobKind, tuple[Direction, ...]] = {
    JobKind.DOA_SWAP: (Direction.TO_CUSTOMER, Direction.TO_ST),
    JobKind.STORE_SWAP: (Direction.TO_CUSTOMER, Direction.TO_ST),
    JobKind.PICKUP: (Direction.TO_ST,),
    JobKind.STORE_PICKUP: (Direction.TO_ST,),
    JobKind.RETURN: (Direction.TO_CUSTOMER,),
}


class ShipmentRuleError(ValueError):
    """A shipment cannot move as asked (message in Spanish)."""


@dataclass(frozen=True)
class ShipmentFacts:
    """One shipment of a job, as plain facts."""

    direction: Direction
    status: ShipmentStatus
    waybill: str | None = None
    waybill_photo: bool = False
    handed_over_at: datetime | None = None
    delivered_at: datetime | None = None
    booked_at: datetime | None = None
    carrier: str = ""


def check_move(
    current: ShipmentStatus,
    target: ShipmentStatus,
    waybill: str | None,
    waybill_photo: bool,
    *,
    receiver_signature: bool = False,
) -> None:
    """Refuse a move the state table does not allow, a hand-over without its waybill, or the
    receiver's signature on anything but the delivery (the agency returns it with the delivery).

    :raises ShipmentRuleError: with what to do instead.
    """
    if target not in NEXT[current]:
        allowed = ", ".join(SHIPMENT_STATUS_LABELS[s].lower() for s in NEXT[current])
        raise ShipmentRuleError(
            f"Un envío «{SHIPMENT_STATUS_LABELS[current].lower()}» no puede pasar a "
            f"«{SHIPMENT_STATUS_LABELS[target].lower()}»"
            + (f" (puede pasar a: {allowed})." if allowed else " (ya terminó).")
        )
    if target is S.HANDED_OVER:
        missing = []
        if not (waybill or "").strip():
            missing.append("el número de guía")
        if not waybill_photo:
            missing.append("la foto de la guía")
        if missing:
            raise ShipmentRuleError(
                "Para registrar la entrega a la agencia falta " + " y ".join(missing) + "."
            )
    if receiver_signature and target is not S.DELIVERED:
        raise ShipmentRuleError(
            "La firma de quien recibió se registra con el estado «entregado / recogido»."
        )


def missing_for_closing(
    kind: JobKind,
    shipments: Sequence[ShipmentFacts],
    *,
    checked_service_number: str | None,
    replacement_service_number: str | None,
    refilled_answered: bool,
    photos: frozenset[str],
) -> list[str]:
    """What is still missing before a job sent by carrier can be closed (Spanish)."""
    missing = []
    by_direction = {s.direction: s for s in shipments}
    for direction in LEGS[kind]:
        found = by_direction.get(direction)
        label = DIRECTION_LABELS[direction].lower()
        if found is None:
            missing.append(f"reservar el {label}")
        elif found.status is not S.DELIVERED:
            missing.append(f"que el {label} llegue a destino")
        elif not found.waybill_photo:
            missing.append(f"la foto de la guía del {label}")
    if not checked_service_number:
        missing.append("verificar el número de servicio del equipo")
    if kind in HANDS_OVER_NEW_UNIT and not replacement_service_number:
        missing.append("registrar el número de servicio del equipo nuevo enviado")
    for purpose in REQUIRED_PHOTOS[kind]:
        if purpose not in photos:
            missing.append(f"tomar la {photo_phrase(purpose)}")
    if kind in COLLECTS_UNIT and not refilled_answered:
        missing.append("indicar si los cartuchos están rellenados")
    return missing


def done_at(kind: JobKind, shipments: Sequence[ShipmentFacts]) -> datetime | None:
    """When the job's step happened, for its deadline: a swap or a return when the customer
    received the unit; a pickup when the customer handed the unit to the agency."""
    by_direction = {s.direction: s for s in shipments}
    if Direction.TO_CUSTOMER in LEGS[kind]:
        leg = by_direction.get(Direction.TO_CUSTOMER)
        return leg.delivered_at if leg is not None else None
    leg = by_direction.get(Direction.TO_ST)
    return leg.handed_over_at if leg is not None else None


def carrier_suggested(round_trips_min: Sequence[float], shifts_min: Sequence[float]) -> bool:
    """Whether a job should go by carrier: no working courier can drive there, serve it and
    drive back within their shift (pairs of round trip and shift length, in minutes)."""
    return not any(trip <= shift for trip, shift in zip(round_trips_min, shifts_min, strict=True))


# (decision) Business days an agency takes from hand-over to arrival when its own figure is not
# configured (FIELDAPP_CARRIER_TRANSIT_DAYS); a place with no road (Loreto) takes a day more.
DEFAULT_TRANSIT_DAYS = 3
NO_ROAD_EXTRA_DAYS = 1
FINISHED = frozenset({S.DELIVERED, S.RETURNED})


def transit_days(
    carrier: str,
    table: Mapping[str, int],
    default: int = DEFAULT_TRANSIT_DAYS,
    *,
    by_road: bool = True,
) -> int:
    """Business days `carrier` takes to deliver (its figure in `table`, else `default`), one
    more to a place with no road."""
    days = table.get(carrier, default)
    return days if by_road else days + NO_ROAD_EXTRA_DAYS


def expected_arrival(leg: ShipmentFacts, days: int) -> datetime | None:
    """When a leg should arrive: the end of the `days`-th business day (Lima) after it was
    handed over to the agency, or after its booking while it was not. None once it arrived or
    came back, or when it has no start time."""
    if leg.status in FINISHED:
        return None
    start = leg.handed_over_at or leg.booked_at
    if start is None:
        return None
    return end_of_day(add_business_days(lima_date(start), days))


def deadline_leg(kind: JobKind, shipments: Sequence[ShipmentFacts]) -> ShipmentFacts | None:
    """The leg whose arrival the job's deadline waits for: the unit travelling to the customer
    (swap, return). A pickup is done at the hand-over to the agency, so none."""
    if Direction.TO_CUSTOMER not in LEGS[kind]:
        return None
    return next((s for s in shipments if s.direction is Direction.TO_CUSTOMER), None)


def urgency_with_arrival(
    status: Urgency | None, arrival: datetime | None, due_at: datetime
) -> Urgency | None:
    """A deadline on track is at risk when the expected arrival falls after it (other states
    stand as they are)."""
    if status is Urgency.ON_TRACK and arrival is not None and arrival > due_at:
        return Urgency.AT_RISK
    return status
