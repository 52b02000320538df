"""Schemathesis against /api/v1/openapi.json: every operation, with generated valid and invalid
requests (a bounded, fixed set) and with real data, never answers a server error, and every
answer is the documented one: status code listed by the operation itself, content type, headers
and body matching the response schema."""

from __future__ import annotations

import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update

from fieldapp.extensions import db
from fieldapp.models import Programme
from tests.api.conftest import AUTH, body

OPERATIONS = {"POST /api/v1/cases", "GET /api/v1/cases", "GET /api/v1/cases/{case_number}"}
# Any non-empty text is a case number (unknown ones get 404): no request to it is invalid.
NOTHING_TO_NEGATE = {"GET /api/v1/cases/{case_number}"}
EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,  # the same requests on every run: CI never fails by chance
    database=None,
    suppress_health_check=list(HealthCheck),
)


def listed_by_the_operation(_ctx, response, case) -> None:
    """The status code is one the operation documents itself, not only through `default`."""
    listed = {code for code in case.operation.responses.status_codes if code != "default"}
    assert str(response.status_code) in listed, (
        f"{case.operation.label} answered {response.status_code}, documents {sorted(listed)}"
    )


CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    listed_by_the_operation,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def isolated(app):
    """The app as WSGI, each request in its own context (like tests.conftest.IsolatedClient)."""

    def wsgi(environ, start_response):
        db.session.commit()  # nothing of the test's own is left open while the request runs
        return contextvars.Context().run(app, environ, start_response)

    return wsgi


def load(app):
    """The document the app serves, set up to generate requests against that app."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))
    # The key is ours to send (a valid one); unknown query parameters are ignored by design.
    schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_documented_answers(app, api_client, mode):
    schema = load(app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.label for operation in operations} == OPERATIONS
    checks = [*CONFORMANCE, negative_data_rejection]
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.label in NOTHING_TO_NEGATE:
            continue

        @EXAMPLES
        @given(case=operation.as_strategy(generation_mode=mode))
        def answered_as_documented(case):
            case.call_and_validate(headers=AUTH, checks=checks)

        answered_as_documented()


def test_real_answers_match_their_documentation(app, api_client):
    schema = load(app)
    create = schema["/api/v1/cases"]["POST"]
    read = schema["/api/v1/cases/{case_number}"]["GET"]
    listing = schema["/api/v1/cases"]["GET"]
    payload = body()
    number = {"case_number": payload["case_number"]}

    def answer(case, headers=AUTH, checks=CONFORMANCE) -> int:
        return case.call_and_validate(headers=headers, checks=checks).status_code

    assert answer(create.Case(body=payload)) == 201
    assert answer(create.Case(body=payload)) == 409
    assert answer(create.Case(body=body(customer={"ubigeo": "999999"}))) == 422
    assert answer(create.Case(body=[payload])) == 400
    assert answer(read.Case(path_parameters=number)) == 200
    assert answer(read.Case(path_parameters={"case_number": "KCC-NO-EXISTE"})) == 404
    assert answer(listing.Case(query={"per_page": 1})) == 200
    assert answer(listing.Case(query={"status": "received", "page": 2, "per_page": 1})) == 200
    assert answer(listing.Case(query={"updated_since": "ayer"})) == 422
    for case in (create.Case(body=body()), read.Case(path_parameters=number), listing.Case()):
        assert answer(case, headers={"Authorization": "Bearer wrong-key"}) == 401
    db.session.execute(update(Programme).values(active=False))  # no programme in force: 503
    documented = [check for check in CONFORMANCE if check is not not_a_server_error]
    assert answer(create.Case(body=body()), checks=documented) == 503
