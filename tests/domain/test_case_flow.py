"""The flow table: flow choice, allowed and refused transitions, reachable states."""

from __future__ import annotations

import pytest

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Origin, Status
from fieldapp.domain.roles import AREA_ROLES, Role, areas_for, may_enter


@pytest.mark.parametrize(
    ("kind", "zone", "origin", "flow"),
    [
        ("doa", "lima", Origin.CALL_CENTER, Flow.DOA_LIMA),
        ("doa", "provinces", Origin.CALL_CENTER, Flow.DOA_PROVINCES),
        ("warranty", "lima", Origin.CALL_CENTER, Flow.WARRANTY_LIMA),
        ("warranty", "provinces", Origin.CALL_CENTER, Flow.WARRANTY_PROVINCES),
        ("doa", "lima", Origin.STORE, Flow.DOA_STORE),
        ("doa", "provinces", Origin.STORE, Flow.DOA_STORE),
        ("warranty", "provinces", Origin.STORE, Flow.WARRANTY_STORE),
        ("warranty", "lima", Origin.STORE, Flow.WARRANTY_LIMA),
        ("warranty", "lima", Origin.ST_COUNTER, Flow.WALK_IN),
        ("warranty", "provinces", Origin.ST_COUNTER, Flow.WALK_IN),
        ("doa", "lima", Origin.ST_COUNTER, Flow.DOA_COUNTER),
    ],
)
def test_choose_flow(kind, zone, origin, flow):
    assert case_flow.choose_flow(kind, zone, origin) is flow


def test_walk_in_starts_in_the_workshop_others_received():
    assert case_flow.initial_status(Flow.WALK_IN) is Status.IN_WORKSHOP
    assert case_flow.initial_status(Flow.DOA_LIMA) is Status.RECEIVED


def test_doa_path_lima():
    status = Status.RECEIVED
    for event in (Event.SCHEDULE, Event.SWAP, Event.CLOSE):
        status = case_flow.transition(Flow.DOA_LIMA, status, event).target
    assert status is Status.CLOSED


def test_provinces_warranty_path_with_a_failed_return():
    flow, status = Flow.WARRANTY_PROVINCES, Status.RECEIVED
    events = [
        Event.SCHEDULE, Event.PICK_UP, Event.RECEIVE_UNIT, Event.REPAIR,
        Event.DISPATCH_RETURN, Event.RETURN_FAILED, Event.DISPATCH_RETURN,
        Event.RETURN_UNIT, Event.CLOSE,
    ]  # fmt: skip
    for event in events:
        status = case_flow.transition(flow, status, event).target
    assert status is Status.CLOSED


def test_illegal_transition_is_refused_with_a_message():
    with pytest.raises(case_flow.IllegalTransition, match="el caso está «Recibido»"):
        case_flow.transition(Flow.WARRANTY_LIMA, Status.RECEIVED, Event.REPAIR)


def test_event_outside_the_flow_is_refused():
    with pytest.raises(case_flow.IllegalTransition, match="DOA Lima"):
        case_flow.transition(Flow.DOA_LIMA, Status.RECEIVED, Event.PICK_UP)


@pytest.mark.parametrize("flow", list(Flow))
def test_terminal_states_allow_nothing(flow):
    for status in case_flow.TERMINAL:
        assert case_flow.allowed_events(flow, status) == []


@pytest.mark.parametrize("flow", list(Flow))
def test_every_open_state_can_be_cancelled_and_every_flow_closes(flow):
    reachable = case_flow.reachable_statuses(flow)
    assert {Status.CLOSED, Status.CANCELLED, Status.VOID} <= reachable
    for status in reachable - case_flow.TERMINAL:
        assert Event.CANCEL in case_flow.allowed_events(flow, status)


def test_refilled_cartridges_void_a_warranty_in_the_workshop():
    found = case_flow.transition(Flow.WALK_IN, Status.IN_WORKSHOP, Event.VOID)
    assert found.target is Status.VOID
    assert found.notice is case_flow.Notice.WARRANTY_VOIDED


def test_notices_follow_domain_md():
    notices = {t.notice for table in case_flow.FLOWS.values() for t in table.values()}
    assert notices - {None} == set(case_flow.Notice) - {
        case_flow.Notice.DEADLINE_AT_RISK,
        case_flow.Notice.CASE_RECEIVED,
        case_flow.Notice.VISIT_SCHEDULED,
        case_flow.Notice.CARRIER_BOOKED,
    }


def test_roles_and_areas():
    assert may_enter(Role.ADMIN, "admin")
    assert not may_enter(Role.SUPERVISOR, "admin")
    assert may_enter(Role.SUPERVISOR, "cases")
    assert not may_enter(Role.COURIER, "dispatch")
    with pytest.raises(KeyError):
        may_enter(Role.ADMIN, "nowhere")
    assert areas_for(Role.TECHNICIAN)[0] == "workshop"
    assert areas_for(Role.ADMIN)[0] == "admin"
    assert set(areas_for(Role.ADMIN)) == set(AREA_ROLES)
