"""Generated bodies and query strings never make the API fail with a server error."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import AUTH, body

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "x" * 5000,
        "١٥٠١٢٢",
        "150122 ",
        "T-123 456",
        "2026-02-30",
        "2026-11-16T25:00:00",
        "9999-12-31",
        "0001-01-01",
        "1e309",
        "null",
        "NaN",
        "<script>",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None), max_size=30)
    | ODD_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "case_number",
    "service_number",
    "product_type",
    "model",
    "purchase_date",
    "failure_date",
    "received_at",
    "origin",
    "store",
    "customer",
    "proof_of_purchase",
    "extra",
]
NESTED = {
    "customer": ["name", "phone", "email", "document_id", "address", "ubigeo"],
    "store": ["name", "address", "ubigeo"],
    "proof_of_purchase": ["type", "number"],
}
PLAUSIBLE = {
    "origin": st.sampled_from(["call_center", "store", "st_counter"]),
    "product_type": st.sampled_from(["printer", "camera"]),
    "purchase_date": st.dates().map(str),
    "failure_date": st.dates().map(str),
    "received_at": st.datetimes().map(lambda d: d.isoformat()),
    "service_number": st.from_regex(r"[A-Za-z][0-9 -]{6,8}", fullmatch=True),
}


@st.composite
def mutated_bodies(draw) -> dict:
    """A valid body with a few fields removed, replaced or garbled."""
    made = body(store={"name": "Tienda", "address": "Av. 1", "ubigeo": "130101"})
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from(FIELDS))
        action = draw(st.sampled_from(["drop", "junk", "plausible", "nested"]))
        if action == "drop":
            made.pop(key, None)
        elif action == "plausible" and key in PLAUSIBLE:
            made[key] = draw(PLAUSIBLE[key])
        elif action == "nested" and isinstance(made.get(key), dict) and key in NESTED:
            inner = draw(st.sampled_from(NESTED[key]))
            made[key][inner] = draw(JSON_VALUES)
        else:
            made[key] = draw(JSON_VALUES)
    return made


def check(answer) -> None:
    """A 4xx with its JSON shape, or a 201 with the case."""
    assert answer.status_code in {201, 400, 409, 422}, answer.get_data(as_text=True)
    event(f"HTTP {answer.status_code}")  # shown by --hypothesis-show-statistics
    payload = answer.get_json()
    if answer.status_code == 201:
        assert payload["case_number"] and payload["flow"]
    else:
        assert payload["errors"]
        for field, messages in payload["errors"].items():
            assert isinstance(field, str) and messages
            assert all(isinstance(m, str) and m for m in messages)


@FUZZ
@given(payload=JSON_VALUES | mutated_bodies())
def test_generated_bodies_never_fail(client, api_client, payload):
    try:
        text = json.dumps(payload)
    except ValueError:
        return
    check(client.post("/api/v1/cases", data=text, content_type="application/json", headers=AUTH))


@FUZZ
@given(raw=st.binary(max_size=200))
def test_raw_bytes_never_fail(client, api_client, raw):
    check(client.post("/api/v1/cases", data=raw, content_type="application/json", headers=AUTH))


@settings(FUZZ, max_examples=100)
@given(
    query=st.dictionaries(
        st.sampled_from(["status", "updated_since", "page", "per_page", "other"]),
        st.text(st.characters(codec="utf-8"), max_size=25)
        | ODD_TEXT.filter(lambda text: "\ud800" not in text),
    )
)
def test_generated_list_queries_never_fail(client, api_client, query):
    answer = client.get("/api/v1/cases", query_string=query, headers=AUTH)

    assert answer.status_code in {200, 422}, answer.get_data(as_text=True)
    assert "items" in answer.json or "errors" in answer.json
