"""Kodak's stock at the ST: unit categories, their states and every kind of movement."""

from __future__ import annotations

from enum import StrEnum


class StockCategory(StrEnum):
    """Why a unit is in stock."""

    NEW = "new"  # Kodak's new units, for DOA swaps
    EXCHANGE = "exchange"  # exchange units, for warranty cases that cannot be repaired
    DOA_COLLECTED = "doa_collected"  # failed DOA units collected from customers or stores


class StockStatus(StrEnum):
    """Where a stock unit is now."""

    ON_HAND = "on_hand"
    RESERVED = "reserved"
    DELIVERED = "delivered"
    PARTS_DONOR = "parts_donor"
    RETURNED_TO_MANUFACTURER = "returned_to_manufacturer"
    CREDITED = "credited"


class MovementKind(StrEnum):
    """Every unit in and out is one of these (DOMAIN.md: operating conditions)."""

    RECEIVED_FROM_MANUFACTURER = "received_from_manufacturer"
    RESERVED = "reserved"
    RELEASED = "released"
    DELIVERED = "delivered"
    DOA_COLLECTED = "doa_collected"
    PARTS_DONOR = "parts_donor"
    PART_TAKEN = "part_taken"
    CREDITED_AT_SALE = "credited_at_sale"
    RETURNED_TO_MANUFACTURER = "returned_to_manufacturer"


class PartStatus(StrEnum):
    """A usable part taken from a DOA unit."""

    AVAILABLE = "available"
    USED = "used"


CATEGORY_LABELS: dict[StockCategory, str] = {
    StockCategory.NEW: "Nuevo",
    StockCategory.EXCHANGE: "Intercambio",
    StockCategory.DOA_COLLECTED: "DOA recogido",
}
STATUS_LABELS: dict[StockStatus, str] = {
    StockStatus.ON_HAND: "En stock",
    StockStatus.RESERVED: "Reservado",
    StockStatus.DELIVERED: "Entregado",
    StockStatus.PARTS_DONOR: "Donante de repuestos",
    StockStatus.RETURNED_TO_MANUFACTURER: "Devuelto al fabricante",
    StockStatus.CREDITED: "Acreditado",
}
MOVEMENT_LABELS: dict[MovementKind, str] = {
    MovementKind.RECEIVED_FROM_MANUFACTURER: "Recibido del fabricante",
    MovementKind.RESERVED: "Reservado para visita",
    MovementKind.RELEASED: "Reserva liberada",
    MovementKind.DELIVERED: "Entregado al cliente",
    MovementKind.DOA_COLLECTED: "Equipo DOA recogido",
    MovementKind.PARTS_DONOR: "Donante de repuestos",
    MovementKind.PART_TAKEN: "Repuesto usado",
    MovementKind.CREDITED_AT_SALE: "Crédito por falla en venta",
    MovementKind.RETURNED_TO_MANUFACTURER: "Devuelto al fabricante",
}
