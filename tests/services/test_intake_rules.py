"""Intake as a use case: what is stored (or not) whichever way a case comes in (API, form, CSV)."""

from __future__ import annotations

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


def test_store_district_is_stored_trimmed(programme):
    store = intake.StoreInput(name="Ripley", ubigeo=" 150101 ")
    case = intake.open_case(factories.case_input(origin=Origin.STORE, store=store), None)
    assert case.store.ubigeo == "150101" and case.ubigeo == "150101"


def test_a_refused_case_leaves_nothing_behind(programme):
    # The rules themselves are tested in tests/domain/test_intake.py.
    errors = _errors(model="x" * 61, customer={"name": "Ana\x00"})
    assert errors["model"] == ["Máximo 60 caracteres."]
    assert errors["customer.name"] == ["Contiene caracteres no válidos."]
    assert intake.db.session.scalar(select(Case)) is None
