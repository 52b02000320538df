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
    RETURNED_TO_KODAK = "returned_to_kodak"
    CREDITED = "credited"


class MovementKind(StrEnum):
    """Every unit in and out is one of these (DOMAIN.md: operating conditions)."""

    RECEIVED_FROM_KODAK = "received_from_kodak"
    RESERVED = "reserved"
    RELEASED = "released"
    DELIVERED = "delivered"
    DOA_COLLECTED = "doa_collected"
    PARTS_DONOR = "parts_donor"
    PART_TAKEN = "part_taken"
    CREDITED_AT_SALE = "credited_at_sale"
    RETURNED_TO_KODAK = "returned_to_kodak"


class PartStatus(StrEnum):
    """A usable part taken from a DOA unit."""

    AVAILABLE = "available"
    USED = "used"
