"""Carrier shipment rules: the state table, hand-over evidence, what closing needs, when the
job's step counts for its deadline, when a job should go by agency, and when a leg should arrive
(business days per agency) and whether that puts the deadline at risk."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.jobs import Evidence, JobKind, missing_evidence
from fieldapp.domain.shipments import (
    LEGS,
    Direction,
    ShipmentFacts,
    ShipmentRuleError,
    ShipmentStatus,
    carrier_suggested,
    check_move,
    deadline_leg,
    done_at,
    expected_arrival,
    missing_for_closing,
    transit_days,
    urgency_with_arrival,
)

LIMA = ZoneInfo("America/Lima")

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


def test_the_receiver_signature_comes_with_the_delivery_only():
    check_move(S.IN_TRANSIT, S.DELIVERED, "SH-1", True, receiver_signature=True)
    with pytest.raises(ShipmentRuleError, match="firma de quien recibió"):
        check_move(S.HANDED_OVER, S.IN_TRANSIT, "SH-1", True, receiver_signature=True)
    with pytest.raises(ShipmentRuleError, match="firma de quien recibió"):
        check_move(S.IN_TRANSIT, S.RETURNED, "SH-1", True, receiver_signature=True)


def test_transit_days_by_carrier_with_a_default_and_a_day_more_without_road():
    table = {"Shalom": 3, "Olva Courier": 2}
    assert transit_days("Olva Courier", table) == 2
    assert transit_days("Marvisur", table) == 3
    assert transit_days("Marvisur", table, default=5) == 5
    assert transit_days("Olva Courier", table, by_road=False) == 3


def test_arrival_counts_business_days_in_lima_from_the_hand_over():
    # Friday 4 December 23:30 in Lima (already Saturday in UTC): Monday 7, then 8 and 9 are
    # public holidays, Thursday 10, Friday 11.
    handed = datetime(2026, 12, 4, 23, 30, tzinfo=LIMA)
    leg = ShipmentFacts(Direction.TO_CUSTOMER, S.IN_TRANSIT, booked_at=T1, handed_over_at=handed)
    assert expected_arrival(leg, 3) == datetime(2026, 12, 11, 23, 59, 59, tzinfo=LIMA)


def test_arrival_counts_from_the_booking_until_handed_over_and_ends_on_arrival():
    # Booked Tuesday 1 December (10:00 in Lima): Wednesday 2, Thursday 3, Friday 4.
    booked = ShipmentFacts(Direction.TO_CUSTOMER, S.BOOKED, booked_at=T1)
    assert expected_arrival(booked, 3) == datetime(2026, 12, 4, 23, 59, 59, tzinfo=LIMA)
    assert expected_arrival(ShipmentFacts(Direction.TO_CUSTOMER, S.BOOKED), 3) is None
    for done in (S.DELIVERED, S.RETURNED):
        assert expected_arrival(ShipmentFacts(Direction.TO_ST, done, booked_at=T1), 3) is None


def test_the_deadline_waits_for_the_leg_to_the_customer():
    out = ShipmentFacts(Direction.TO_CUSTOMER, S.BOOKED, booked_at=T1, carrier="Shalom")
    back = ShipmentFacts(Direction.TO_ST, S.BOOKED, booked_at=T1)
    assert deadline_leg(JobKind.DOA_SWAP, [back, out]) is out
    assert deadline_leg(JobKind.RETURN, [out]) is out
    # A pickup counts when the customer hands the unit to the agency: no arrival to wait for.
    assert deadline_leg(JobKind.PICKUP, [back]) is None


def test_an_arrival_after_the_due_time_puts_an_on_track_deadline_at_risk():
    due = datetime(2026, 12, 10, 23, 59, 59, tzinfo=LIMA)
    late, same_day = datetime(2026, 12, 11, 23, 59, 59, tzinfo=LIMA), due
    assert urgency_with_arrival(Urgency.ON_TRACK, late, due) is Urgency.AT_RISK
    assert urgency_with_arrival(Urgency.ON_TRACK, same_day, due) is Urgency.ON_TRACK
    assert urgency_with_arrival(Urgency.ON_TRACK, None, due) is Urgency.ON_TRACK
    for status in (Urgency.OVERDUE, Urgency.DONE, Urgency.MISSED, Urgency.AT_RISK, None):
        assert urgency_with_arrival(status, late, due) is status
