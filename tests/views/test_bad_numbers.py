"""Out-of-range numbers and dates in URLs, query strings and sync bodies answer 4xx, never 5xx:
ids past what a database column holds, `month=9999-12`, a `device_at` in the year 9999."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.domain.roles import Role
from tests import factories
from tests.api.test_fuzz import JSON_VALUES, ODD_TEXT
from tests.conftest import csrf_token
from tests.factories import published_stop

FINAL_REFUSALS = {400, 404, 409, 413, 415, 422}  # an action's refusals for good


def _refused(response) -> bool:
    """Answered as refused for good: a 2xx (the phone's queue lets it go) with the reason."""
    body = response.get_json() or {}
    return (
        response.status_code == 200
        and body.get("refused") is True
        and body.get("refused_status") in FINAL_REFUSALS
    )


HUGE = [2**31, 2**63, 2**64 + 7, 10**30]
ODD_DAYS = ["9999-12-31", "0001-01-01", "2026-02-30", "x"]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _rules(app):
    """Every URL rule with arguments, except the static files: (rule, converter by argument)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        converters = {name: kind or "default" for kind, name in _ARGUMENT.findall(rule.rule)}
        found.append((rule, converters))
    return sorted(found, key=lambda item: item[0].rule)


def _sendable(text: str) -> bool:
    """Text a client can put in a path segment (no slash, no lone surrogate, not blank)."""
    return bool(text.strip()) and "/" not in text and "\ud800" not in text


def _url(rule, converters: dict[str, str], number: int, text: str) -> str:
    def value(match):
        kind = converters[match.group(2)]
        return str(number) if kind == "int" else text

    return _ARGUMENT.sub(value, rule.rule)


@pytest.fixture
def admin_client(client, login):
    """An admin, who may enter every area, with a CSRF token for the POST routes."""
    login(factories.user(Role.ADMIN).username)
    return client, csrf_token(client, "/cases/")


def _call(client, token, rule, url):
    if "GET" in rule.methods:
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def test_every_url_converter_refuses_numbers_past_a_database_id(app, admin_client):
    client, token = admin_client
    answered = {}
    for rule, converters in _rules(app):
        if "int" not in converters.values():
            continue
        for number in HUGE:
            response = _call(client, token, rule, _url(rule, converters, number, "2026-12-01"))
            answered[(rule.rule, number)] = response.status_code
    assert answered and not {k: v for k, v in answered.items() if v >= 500}
    assert {v for v in answered.values()} <= {400, 404, 405}


def test_control_characters_in_a_text_argument_are_not_found(app, admin_client):
    """PostgreSQL refuses a NUL in a query (a 500 on the PostgreSQL pass before the fix)."""
    client, token = admin_client
    for rule, converters in _rules(app):
        if "default" not in converters.values():
            continue
        for text in ("\x00", "a\x01b", "KCC\x7f"):
            response = _call(client, token, rule, _url(rule, converters, 1, text))
            assert response.status_code in {400, 404, 405}, (rule.rule, text)


@FUZZ
@given(data=st.data())
def test_generated_url_arguments_never_fail(app, admin_client, data):
    client, token = admin_client
    rule, converters = data.draw(st.sampled_from(_rules(app)))
    number = data.draw(st.integers(min_value=0, max_value=2**80))
    text = data.draw(st.sampled_from(ODD_DAYS) | ODD_TEXT.filter(_sendable))
    response = _call(client, token, rule, _url(rule, converters, number, text))
    assert response.status_code < 500, (rule.rule, number, text)


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "0001-01", "2026-13"])
def test_a_statement_month_out_of_range_is_a_form_error(client, login, month):
    login(factories.user(Role.SUPERVISOR).username)
    for suffix in ("", "&format=csv", "&format=pdf"):
        response = client.get(f"/supervisor/statement?month={month}{suffix}")
        assert response.status_code == 422, (month, suffix)
        assert "AAAA-MM" in response.get_data(as_text=True)


# --- The courier's sync queue -------------------------------------------------------------------

ORIGIN = {"Origin": "http://localhost"}


def _sync(client, body):
    return client.post(
        "/courier/sync", data=json.dumps(body), headers=ORIGIN, content_type="application/json"
    )


@pytest.fixture
def courier_client(client, login):
    courier = factories.user(Role.COURIER)
    job = published_stop(courier)
    login(courier.username)
    return client, job.id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("job_id", 2**63),
        ("job_id", 2**31),
        ("job_id", -(2**70)),
        ("device_at", "9999-12-31T23:59:59-05:00"),
        ("device_at", "0001-01-01T00:00:00+14:00"),
    ],
)
def test_a_sync_action_out_of_range_is_refused_for_good(courier_client, field, value):
    client, job_id = courier_client
    body = {"id": str(uuid.uuid4()), "type": "arrive", "job_id": job_id, "payload": {}}
    body[field] = value
    response = _sync(client, body)
    assert _refused(response), response.get_data(as_text=True)
    assert response.get_json()["message"]
    batch = _sync(client, [dict(body, id=str(uuid.uuid4()))])
    assert batch.status_code == 200
    assert batch.get_json()["results"][0]["status"] in FINAL_REFUSALS


SYNC_ACTIONS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.uuids().map(str) | ODD_TEXT | JSON_VALUES,
        "type": st.sampled_from(
            ["arrive", "check_number", "photo", "refill", "signature", "complete", "fail"]
        )
        | JSON_VALUES,
        "job_id": st.integers(min_value=-(2**70), max_value=2**70) | JSON_VALUES,
        "device_at": st.datetimes().map(lambda d: d.isoformat() + "Z")
        | ODD_TEXT
        | st.sampled_from(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00"]),
        "payload": st.dictionaries(
            st.sampled_from(
                ["lat", "lon", "accuracy", "service_number", "replacement", "refilled", "reason"]
            ),
            JSON_VALUES,
            max_size=4,
        )
        | JSON_VALUES,
    },
)


@FUZZ
@given(action=SYNC_ACTIONS)
def test_generated_sync_actions_are_applied_or_refused_never_failed(courier_client, action):
    client, _job_id = courier_client
    response = _sync(client, action)
    assert response.status_code < 300, (
        action,
        response.get_data(as_text=True),
    )
