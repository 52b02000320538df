"""Carrier shipment rules: the state table, hand-over evidence, what closing needs, when the
job's step counts for its deadline, and when a job should go by agency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldapp.domain.jobs import Evidence, JobKind, missing_evidence
from fieldapp.domain.shipments import (
    LEGS,
    Direction,
    ShipmentFacts,
    ShipmentRuleError,
    ShipmentStatus,
    carrier_suggested,
    check_move,
    done_at,
    missing_for_closing,
)

S = ShipmentStatus
T1 = datetime(2026, 12, 1, 15, tzinfo=UTC)
T2 = datetime(2026, 12, 2, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.BOOKED, S.IN_TRANSIT),
        (S.BOOKED, S.DELIVERED),
        (S.DELIVERED, S.RETURNED),
        (S.RETURNED, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.HANDED_OVER),
    ],
)
def test_moves_outside_the_table_are_refused(current, target):
    with pytest.raises(ShipmentRuleError, match="no puede pasar"):
        check_move(current, target, "W1", True)


def test_hand_over_needs_waybill_and_photo():
    with pytest.raises(ShipmentRuleError, match="el número de guía y la foto de la guía"):
        check_move(S.BOOKED, S.HANDED_OVER, " ", False)
    with pytest.raises(ShipmentRuleError, match="falta la foto de la guía"):
        check_move(S.BOOKED, S.HANDED_OVER, "W1", False)
    check_move(S.BOOKED, S.HANDED_OVER, "W1", True)
    check_move(S.HANDED_OVER, S.DELIVERED, None, False)  # only the hand-over needs them


def test_a_swap_needs_both_legs_delivered_and_the_unit_checked():
    legs = (
        ShipmentFacts(Direction.TO_CUSTOMER, S.DELIVERED, "W1", True, T1, T2),
        ShipmentFacts(Direction.TO_ST, S.IN_TRANSIT, "W2", True, T1, None),
    )
    missing = missing_for_closing(
        JobKind.DOA_SWAP,
        legs,
        checked_service_number=None,
        replacement_service_number=None,
        refilled_answered=False,
        photos=frozenset(),
    )
    assert missing == [
        "que el retorno al servicio técnico llegue a destino",
        "verificar el número de servicio del equipo",
        "registrar el número de servicio del equipo nuevo enviado",
        "tomar la foto del comprobante de compra",
        "indicar si los cartuchos están rellenados",
    ]


def test_carrier_evidence_replaces_arrival_and_signature():
    legs = (ShipmentFacts(Direction.TO_CUSTOMER, S.DELIVERED, "W1", True, T1, T2),)
    evidence = Evidence(checked_service_number="T123456", carrier=legs)
    assert missing_evidence(JobKind.RETURN, evidence) == []
    assert "obtener la firma" in missing_evidence(
        JobKind.RETURN, Evidence(checked_service_number="T1")
    )


def test_a_missing_leg_is_named():
    assert "reservar el envío al cliente" in missing_for_closing(
        JobKind.RETURN,
        (),
        checked_service_number="T1",
        replacement_service_number=None,
        refilled_answered=False,
        photos=frozenset(),
    )


def test_the_step_counts_at_the_customer_end():
    out = ShipmentFacts(Direction.TO_CUSTOMER, S.DELIVERED, "W1", True, T1, T2)
    back = ShipmentFacts(Direction.TO_ST, S.DELIVERED, "W2", True, T1, T2)
    assert done_at(JobKind.DOA_SWAP, (out, back)) == T2  # the customer got the new unit
    assert done_at(JobKind.PICKUP, (back,)) == T1  # the customer handed the unit over
    assert done_at(JobKind.RETURN, ()) is None


def test_legs_by_kind():
    assert LEGS[JobKind.DOA_SWAP] == (Direction.TO_CUSTOMER, Direction.TO_ST)
    assert LEGS[JobKind.PICKUP] == (Direction.TO_ST,)
    assert LEGS[JobKind.RETURN] == (Direction.TO_CUSTOMER,)


def test_carrier_suggested_when_no_round_trip_fits_a_shift():
    assert carrier_suggested([900.0, 1400.0], [570.0, 570.0])
    assert not carrier_suggested([900.0, 300.0], [570.0, 570.0])
    assert carrier_suggested([], [])
