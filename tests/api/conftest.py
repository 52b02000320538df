"""Fixtures of the API tests: the programme, a Call Center client with a known key, and a
valid case body to start from."""

from __future__ import annotations

import copy
from itertools import count

import pytest

from fieldapp.models import ApiClient
from tests import factories

API_KEY = "test-callcenter-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
# A Monday in the past: every date below is fixed, so the expected deadlines never drift.
RECEIVED_AT = "2026-11-16T10:00:00-05:00"
_numbers = count(1)


@pytest.fixture
def api_client(app) -> ApiClient:
    """The programme, and the Call Center's API client whose key is API_KEY."""
    return factories.api_client(API_KEY)


def body(**overrides) -> dict:
    """A valid warranty case in Lima (Miraflores), with a fresh case and service number."""
    n = next(_numbers)
    made = {
        "case_number": f"KCC-API-{n:05d}",
        "service_number": f"T{700000 + n:06d}",
        "product_type": "printer",
        "model": "ESP 3.2",
        "purchase_date": "2026-06-01",
        "received_at": RECEIVED_AT,
        "customer": dict(factories.CUSTOMER),
        "proof_of_purchase": {"type": "boleta", "number": "B001-12345"},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(made.get(key), dict):
            made[key] = {**made[key], **value}
        else:
            made[key] = value
    return copy.deepcopy(made)


@pytest.fixture
def post_case(client, api_client):
    """POST a body (JSON unless told otherwise) to /api/v1/cases with the key."""

    def _post(payload, **kwargs):
        headers = {**AUTH, **kwargs.pop("headers", {})}
        if "data" in kwargs:
            return client.post("/api/v1/cases", headers=headers, **kwargs)
        return client.post("/api/v1/cases", json=payload, headers=headers, **kwargs)

    return _post
