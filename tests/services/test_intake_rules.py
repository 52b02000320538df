"""Intake rules that hold whichever way a case comes in (API, form, CSV)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Origin
from fieldapp.models import Case
from fieldapp.services.cases import intake
from tests import factories


@pytest.fixture
def programme(app):
    return factories.programme()


def _errors(**overrides) -> dict[str, list[str]]:
    with pytest.raises(intake.IntakeError) as info:
        intake.open_case(factories.case_input(**overrides), None)
    return info.value.errors


def test_store_district_is_checked_even_when_the_call_came_from_elsewhere(programme):
    store = intake.StoreInput(name="Tienda", ubigeo="999999")
    assert "store.ubigeo" in _errors(store=store)


def test_store_needs_a_name(programme):
    store = intake.StoreInput(name="  ", ubigeo="150101")
    errors = _errors(origin=Origin.STORE, store=store)
    assert errors["store.name"] == ["Ingrese el nombre de la tienda."]


def test_store_district_is_stored_trimmed(programme):
    store = intake.StoreInput(name="Ripley", ubigeo=" 150101 ")
    case = intake.open_case(factories.case_input(origin=Origin.STORE, store=store), None)
    assert case.store.ubigeo == "150101" and case.ubigeo == "150101"


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1999, 12, 31, tzinfo=UTC),
    ],
)
def test_extreme_times_are_refused_not_crashed(programme, received_at):
    errors = _errors(received_at=received_at, purchase_date=factories.days_ago(90))
    assert errors["received_at"] == ["Fecha fuera de rango (años 2000–2100)."]


def test_texts_must_fit_and_hold_no_control_characters(programme):
    errors = _errors(
        model="x" * 61,
        customer={"name": "Ana\x00", "address": "a" * 251},
        notes="línea 1\nlínea 2\tok",
    )
    assert errors["model"] == ["Máximo 60 caracteres."]
    assert errors["customer.name"] == ["Contiene caracteres no válidos."]
    assert errors["customer.address"] == ["Máximo 250 caracteres."]
    assert "notes" not in errors  # new lines and tabs are fine in notes
    assert intake.db.session.scalar(select(Case)) is None
