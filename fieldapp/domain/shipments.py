"""Carrier shipments: a job sent through a cargo/courier agency (waybill, agency branch) instead
of a courier's stop. A DOA swap by carrier is two linked shipments: the new unit out to the
customer and the failed unit back to the ST.

Plain rules: which legs a job needs, which state may follow which, what each state needs as
evidence, what is still missing before the job can be closed, and when the job counts as done
against its deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fieldapp.domain.attachments import photo_phrase
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


def check_move(
    current: ShipmentStatus, target: ShipmentStatus, waybill: str | None, waybill_photo: bool
) -> None:
    """Refuse a move the state table does not allow, or a hand-over without its waybill.

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
