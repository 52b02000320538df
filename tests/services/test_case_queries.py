"""The one loader of a case by its number: found, missing as the caller's error, or 404."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from fieldapp.models import Case
from fieldapp.services.cases import queries
from fieldapp.services.workshop.inventory import StockError
from tests import factories


def test_a_case_is_found_by_its_exact_number(app):
    case = factories.case()
    assert queries.find_by_number(case.case_number) is case
    assert queries.case_by_number(case.case_number) is case
    assert queries.find_by_number(f" {case.case_number}") is None


def test_a_missing_case_raises_the_callers_error_with_the_number(app):
    with pytest.raises(queries.CaseNotFound, match=r"^No existe el caso KCC-NOPE\.$"):
        queries.case_by_number("KCC-NOPE")
    with pytest.raises(StockError, match=r"^No existe el caso KCC-NOPE\.$"):
        queries.case_by_number("KCC-NOPE", missing=StockError)


def test_a_scope_hides_cases_outside_it(app):
    case = factories.case()
    assert queries.find_by_number(case.case_number, Case.id == case.id) is case
    with pytest.raises(queries.CaseNotFound):
        queries.case_by_number(case.case_number, Case.id != case.id)


def test_views_get_a_404(app):
    case = factories.case()
    with app.test_request_context():
        assert queries.case_by_number_or_404(case.case_number) is case
        with pytest.raises(NotFound):
            queries.case_by_number_or_404("KCC-NOPE")
