"""Intake rules from values alone: every check at once, the kind, place, flow and deadlines, and
the single steps the counter form's preview runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from fieldapp.domain import assessment
from fieldapp.domain.assessment import CaseInput, CustomerInput, IntakeError, StoreInput
from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import UnknownUbigeo, Zone
from fieldapp.domain.warranty import CaseKind, OutOfWarranty, ProgrammeRules

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=LIMA_TZ)
SETTINGS = assessment.IntakeSettings(
    rules=ProgrammeRules(), origin_point=(-12.0977, -77.0365), thresholds_km=(200.0, 500.0)
)


def case_input(**overrides) -> CaseInput:
    """A valid warranty case in Lima, received an hour before NOW."""
    customer = {"name": "María Flores", "phone": "987654321", "ubigeo": "150122"}
    customer.update(overrides.pop("customer", {}))
    values = {
        "case_number": "KCC-1",
        "service_number": "T481203",
        "purchase_date": date(2026, 8, 20),
        "received_at": NOW - timedelta(hours=1),
        **overrides,
    }
    return CaseInput(customer=CustomerInput(**customer), **values)


def errors_of(**overrides) -> dict[str, list[str]]:
    with pytest.raises(IntakeError) as info:
        assessment.assess(case_input(**overrides), SETTINGS, NOW)
    return info.value.errors


def test_a_warranty_case_in_lima_gets_its_flow_and_status():
    result = assessment.assess(case_input(), SETTINGS, NOW)
    assert result.service_number.value == "T481203"
    assert result.kind is CaseKind.WARRANTY and result.location.zone is Zone.LIMA
    assert result.flow is Flow.WARRANTY_LIMA and result.status is Status.RECEIVED
    assert result.failure_date == date(2026, 11, 20)  # none given: the received day, in Lima
    assert result.deadlines == []  # its repair clock starts when the unit reaches the ST


def test_a_recent_purchase_in_the_provinces_is_a_doa_there_with_its_swap_deadline():
    result = assessment.assess(
        case_input(purchase_date=date(2026, 11, 1), customer={"ubigeo": "040101"}), SETTINGS, NOW
    )
    assert result.kind is CaseKind.DOA and result.flow is Flow.DOA_PROVINCES
    assert [(d.name, d.starts_at) for d in result.deadlines] == [("swap", NOW - timedelta(hours=1))]
    assert result.location.band is not None and result.deadlines[0].due_at > NOW


def test_a_walk_in_starts_in_the_workshop_with_its_repair_clock_running():
    result = assessment.assess(case_input(origin=Origin.ST_COUNTER), SETTINGS, NOW)
    assert result.flow is Flow.WALK_IN and result.status is Status.IN_WORKSHOP
    assert [(d.name, d.starts_at) for d in result.deadlines] == [
        ("repair", NOW - timedelta(hours=1))
    ]


def test_every_problem_is_reported_at_once():
    errors = errors_of(
        case_number="bad number!",
        service_number="X1",
        product_type="camera",
        customer={"name": " ", "ubigeo": "999999", "email": "nope"},
        received_at=NOW + timedelta(hours=1),
    )
    assert set(errors) == {
        "case_number",
        "service_number",
        "product_type",
        "received_at",
        "customer.name",
        "customer.email",
        "customer.ubigeo",
    }
    assert "G&N DIGITAL" in errors["product_type"][0]


def test_out_of_warranty_names_the_failure_date():
    errors = errors_of(purchase_date=date(2024, 1, 10))
    assert errors["failure_date"][0].startswith("Fuera de garantía")


def test_store_district_is_checked_even_when_the_call_came_from_elsewhere():
    assert "store.ubigeo" in errors_of(store=StoreInput(name="Tienda", ubigeo="999999"))


def test_store_needs_a_name():
    store = StoreInput(name="  ", ubigeo="150101")
    errors = errors_of(origin=Origin.STORE, store=store)
    assert errors["store.name"] == ["Ingrese el nombre de la tienda."]


def test_a_store_case_is_placed_at_the_store():
    store = StoreInput(name="Ripley", ubigeo=" 130101 ")
    data = case_input(origin=Origin.STORE, store=store)
    assert assessment.place_field(data) == ("store.ubigeo", "130101")
    assert assessment.assess(data, SETTINGS, NOW).location.district.ubigeo == "130101"


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1999, 12, 31, tzinfo=UTC),
    ],
)
def test_extreme_times_are_refused_not_crashed(received_at):
    errors = errors_of(received_at=received_at, purchase_date=date(2026, 8, 20))
    assert errors["received_at"] == ["Fecha fuera de rango (años 2000–2100)."]


def test_texts_must_fit_and_hold_no_control_characters():
    errors = errors_of(
        model="x" * 61,
        customer={"name": "Ana\x00", "address": "a" * 251},
        notes="línea 1\nlínea 2\tok",
    )
    assert errors["model"] == ["Máximo 60 caracteres."]
    assert errors["customer.name"] == ["Contiene caracteres no válidos."]
    assert errors["customer.address"] == ["Máximo 250 caracteres."]
    assert "notes" not in errors  # new lines and tabs are fine in notes


def test_the_single_steps_decide_as_the_whole_check():
    data = case_input(purchase_date=date(2026, 11, 1), customer={"ubigeo": "040101"})
    whole = assessment.assess(data, SETTINGS, NOW)
    kind = assessment.classify(date(2026, 11, 1), date(2026, 11, 20), NOW, SETTINGS)
    location = assessment.place("040101", SETTINGS)
    flow, deadlines = assessment.plan(kind, location, Origin.CALL_CENTER, whole.received_at)
    assert (kind, location, flow, deadlines) == (
        whole.kind,
        whole.location,
        whole.flow,
        whole.deadlines,
    )


def test_the_steps_raise_what_the_preview_reports():
    with pytest.raises(OutOfWarranty):
        assessment.classify(date(2024, 1, 10), date(2026, 11, 20), NOW, SETTINGS)
    with pytest.raises(UnknownUbigeo):
        assessment.place("999999", SETTINGS)
