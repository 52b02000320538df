"""Finding a case by its Call Center number: the one query every page, API call and service
uses, with a 404 for views and an error for services."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, select

from fieldapp.extensions import db
from fieldapp.models import Case


class CaseNotFound(LookupError):
    """No case has this number (or none the caller may read); the message says which."""


def find_by_number(case_number: str, scope: ColumnElement[bool] | None = None) -> Case | None:
    """The case with exactly this number (and within `scope`, a filter such as an API client's
    readable cases), if any."""
    stmt = select(Case).where(Case.case_number == case_number)
    if scope is not None:
        stmt = stmt.where(scope)
    return db.session.scalar(stmt)


def case_by_number(
    case_number: str,
    scope: ColumnElement[bool] | None = None,
    *,
    missing: type[Exception] = CaseNotFound,
) -> Case:
    """`find_by_number`, for services and the API; `missing` is the error a service's callers
    already handle (e.g. StockError), so each service keeps its own contract.

    :raises CaseNotFound: (or `missing`) "No existe el caso <number>." when there is none.
    """
    case = find_by_number(case_number, scope)
    if case is None:
        raise missing(f"No existe el caso {case_number}.")
    return case


def case_by_number_or_404(case_number: str) -> Case:
    """`find_by_number`, for views.

    :raises NotFound: (404) for an unknown case number.
    """
    case = find_by_number(case_number)
    if case is None:
        abort(404)
    return case
