"""The API's endpoints: open a case, read one with its timeline, list them for the sync."""

from __future__ import annotations

from flask import url_for
from flask_smorest import abort

from fieldapp.api import auth, bp, errors, queries
from fieldapp.api.schemas import (
    CaseDetailOut,
    CaseIn,
    CaseListOut,
    CaseListQuery,
    CaseOut,
    ErrorOut,
)
from fieldapp.services.cases import intake
from fieldapp.services.cases.queries import CaseNotFound

# Order matters: a request without a valid key gets 401 before its body is looked at.
bp.before_request(auth.require_api_client)
bp.before_request(errors.require_json_object)
errors.register(bp)

# Every operation: the database did not answer (fieldapp/web/errors.py) or, for a new case, no
# warranty programme is configured. Nothing was written; try again.
UNAVAILABLE = {
    "schema": ErrorOut,
    "description": "Servicio no disponible por un momento: nada se guardó; reintente.",
    "headers": {
        "Retry-After": {
            "description": "Segundos a esperar antes de reintentar.",
            "schema": {"type": "integer"},
        }
    },
}


@bp.route("/cases", methods=["POST"])
@bp.arguments(CaseIn, description="El caso tal como lo registró el Call Center.")
@bp.response(201, CaseOut, headers={"Location": {"schema": {"type": "string"}}})
@bp.alt_response(400, response="BAD_REQUEST")
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(503, **UNAVAILABLE)
def create_case(data: intake.CaseInput):
    """Open a case: the rules decide kind, zone, flow and deadlines.
    ---
    :raises IntakeError: answered 422 with every invalid field (errors.py).
    :raises DuplicateCase: answered 409 (errors.py).
    :raises ServiceUnavailable: (503) when the key's programme is not active, or the key has no
        programme and there is not exactly one active programme.
    """
    client = auth.current_client()
    if client.programme is not None and not client.programme.active:
        abort(503, message="El programa de garantía de esta clave no está activo.")
    try:
        programme = client.programme or intake.default_programme()
    except LookupError as exc:
        abort(503, message=str(exc))
    case = intake.open_case(data, actor=client, programme=programme)
    return case, 201, {"Location": url_for(".get_case", case_number=case.case_number)}


@bp.route("/cases/<case_number>", methods=["GET"])
@bp.response(200, CaseDetailOut)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(503, **UNAVAILABLE)
def get_case(case_number: str):
    """A case with its deadlines and its timeline, oldest event first (only a case this key
    opened, or one of the programme it was granted).
    ---
    :raises NotFound: (404) for an unknown case number or another client's case.
    """
    try:
        case = queries.find_case(case_number, auth.current_client())
    except CaseNotFound as missing:
        abort(404, message=str(missing))
    return queries.CaseWithTimeline(case, queries.timeline(case))


@bp.route("/cases", methods=["GET"])
@bp.arguments(CaseListQuery, location="query")
@bp.response(200, CaseListOut)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(503, **UNAVAILABLE)
def list_cases(query: dict):
    """Cases this key may read (those it opened, and its granted programme's), ordered by last
    change (updated_at, id), a page at a time, for the sync."""
    return queries.case_page(
        auth.current_client(),
        query.get("status"),
        query.get("updated_since"),
        query["page"],
        query["per_page"],
    )
