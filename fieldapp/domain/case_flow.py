"""Case flows: which flow a case follows, its states, and the one table of allowed transitions.

Every state change of a case goes through `transition()`; anything not in the table is refused
with a message a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Origin(StrEnum):
    """Who made the call that created the case (the case number always comes from Kodak)."""

    CALL_CENTER = "call_center"
    STORE = "store"
    ST_COUNTER = "st_counter"


class Flow(StrEnum):
    """The process a case follows (DOMAIN.md: the four flows and the situations outside them)."""

    DOA_LIMA = "doa_lima"
    DOA_PROVINCES = "doa_provinces"
    WARRANTY_LIMA = "warranty_lima"
    WARRANTY_PROVINCES = "warranty_provinces"
    DOA_STORE = "doa_store"  # swapped at the store; the ST replenishes it and collects the DOA unit
    WARRANTY_STORE = "warranty_store"  # provinces warranty: the ST picks the unit up at the store
    DOA_COUNTER = "doa_counter"  # DOA customer came to the ST counter: swap there
    WALK_IN = "walk_in"  # warranty customer came to the ST counter; collects the unit there


class Status(StrEnum):
    """Where a case stands."""

    RECEIVED = "received"
    SCHEDULED = "scheduled"
    SWAPPED = "swapped"
    PICKED_UP = "picked_up"
    IN_WORKSHOP = "in_workshop"
    REPAIRED = "repaired"
    OUT_FOR_RETURN = "out_for_return"
    RETURNED = "returned"
    CLOSED = "closed"
    VOID = "void"
    CANCELLED = "cancelled"


class Event(StrEnum):
    """Something that happens to a case and may move it to another state."""

    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    SWAP = "swap"
    PICK_UP = "pick_up"
    RECEIVE_UNIT = "receive_unit"
    REPAIR = "repair"
    DISPATCH_RETURN = "dispatch_return"
    RETURN_FAILED = "return_failed"
    RETURN_UNIT = "return_unit"
    CLOSE = "close"
    VOID = "void"
    CANCEL = "cancel"


TERMINAL: frozenset[Status] = frozenset({Status.CLOSED, Status.VOID, Status.CANCELLED})
OPEN: frozenset[Status] = frozenset(Status) - TERMINAL

STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Recibido",
    Status.SCHEDULED: "Visita programada",
    Status.SWAPPED: "Cambio realizado",
    Status.PICKED_UP: "Recogido, en tránsito",
    Status.IN_WORKSHOP: "En taller",
    Status.REPAIRED: "Reparado",
    Status.OUT_FOR_RETURN: "En devolución",
    Status.RETURNED: "Entregado al cliente",
    Status.CLOSED: "Cerrado",
    Status.VOID: "Garantía anulada",
    Status.CANCELLED: "Anulado",
}

FLOW_LABELS: dict[Flow, str] = {
    Flow.DOA_LIMA: "DOA Lima",
    Flow.DOA_PROVINCES: "DOA provincias",
    Flow.WARRANTY_LIMA: "Garantía Lima",
    Flow.WARRANTY_PROVINCES: "Garantía provincias",
    Flow.DOA_STORE: "DOA en tienda",
    Flow.WARRANTY_STORE: "Garantía desde tienda",
    Flow.DOA_COUNTER: "DOA en mostrador ST",
    Flow.WALK_IN: "Garantía en mostrador ST",
}

EVENT_LABELS: dict[Event, str] = {
    Event.SCHEDULE: "programar visita",
    Event.UNSCHEDULE: "devolver a despacho",
    Event.SWAP: "registrar cambio",
    Event.PICK_UP: "registrar recojo",
    Event.RECEIVE_UNIT: "recibir en taller",
    Event.REPAIR: "registrar reparación",
    Event.DISPATCH_RETURN: "despachar devolución",
    Event.RETURN_FAILED: "devolución fallida",
    Event.RETURN_UNIT: "entregar al cliente",
    Event.CLOSE: "cerrar",
    Event.VOID: "anular garantía",
    Event.CANCEL: "anular caso",
}


class Notice(StrEnum):
    """E-mail notifications DOMAIN.md asks for (to the Case Admin and the customer)."""

    CASE_RECEIVED = "case_received"
    UNIT_RECEIVED = "unit_received"
    SWAP_DONE = "swap_done"
    REPAIR_DONE = "repair_done"
    UNIT_RETURNED = "unit_returned"
    WARRANTY_VOIDED = "warranty_voided"
    DEADLINE_AT_RISK = "deadline_at_risk"
    VISIT_SCHEDULED = "visit_scheduled"  # to the customer, when dispatch publishes the route
    CARRIER_BOOKED = "carrier_booked"  # to the customer, when dispatch sends the job by agency


@dataclass(frozen=True)
class Transition:
    """One allowed move: `event` takes a case from any of `sources` to `target`."""

    event: Event
    sources: frozenset[Status]
    target: Status
    notice: Notice | None = None


def _t(event: Event, sources: set[Status], target: Status, notice: Notice | None = None):
    return Transition(event, frozenset(sources), target, notice)


S = Status
_CANCEL = _t(Event.CANCEL, set(OPEN), S.CANCELLED)

_DOA_VISIT = [
    _t(Event.SCHEDULE, {S.RECEIVED}, S.SCHEDULED),
    _t(Event.UNSCHEDULE, {S.SCHEDULED}, S.RECEIVED),
    _t(Event.SWAP, {S.RECEIVED, S.SCHEDULED}, S.SWAPPED, Notice.SWAP_DONE),
    _t(Event.VOID, {S.RECEIVED, S.SCHEDULED}, S.VOID, Notice.WARRANTY_VOIDED),
    _t(Event.CLOSE, {S.SWAPPED}, S.CLOSED),
    _CANCEL,
]
_DOA_COUNTER = [
    _t(Event.SWAP, {S.RECEIVED}, S.SWAPPED, Notice.SWAP_DONE),
    _t(Event.VOID, {S.RECEIVED}, S.VOID, Notice.WARRANTY_VOIDED),
    _t(Event.CLOSE, {S.SWAPPED}, S.CLOSED),
    _CANCEL,
]
_REPAIR = [
    _t(Event.REPAIR, {S.IN_WORKSHOP}, S.REPAIRED, Notice.REPAIR_DONE),
    _t(Event.CLOSE, {S.RETURNED}, S.CLOSED),
    _CANCEL,
]
_CUSTOMER_BRINGS = [
    _t(Event.RECEIVE_UNIT, {S.RECEIVED}, S.IN_WORKSHOP, Notice.UNIT_RECEIVED),
    _t(Event.VOID, {S.RECEIVED, S.IN_WORKSHOP}, S.VOID, Notice.WARRANTY_VOIDED),
    _t(Event.RETURN_UNIT, {S.REPAIRED}, S.RETURNED, Notice.UNIT_RETURNED),
    *_REPAIR,
]
_ST_MOVES = [
    _t(Event.SCHEDULE, {S.RECEIVED}, S.SCHEDULED),
    _t(Event.UNSCHEDULE, {S.SCHEDULED}, S.RECEIVED),
    _t(Event.PICK_UP, {S.RECEIVED, S.SCHEDULED}, S.PICKED_UP),
    _t(Event.RECEIVE_UNIT, {S.PICKED_UP}, S.IN_WORKSHOP, Notice.UNIT_RECEIVED),
    _t(
        Event.VOID,
        {S.RECEIVED, S.SCHEDULED, S.PICKED_UP, S.IN_WORKSHOP},
        S.VOID,
        Notice.WARRANTY_VOIDED,
    ),
    _t(Event.DISPATCH_RETURN, {S.REPAIRED}, S.OUT_FOR_RETURN),
    _t(Event.RETURN_FAILED, {S.OUT_FOR_RETURN}, S.REPAIRED),
    _t(Event.RETURN_UNIT, {S.OUT_FOR_RETURN}, S.RETURNED, Notice.UNIT_RETURNED),
    *_REPAIR,
]


def _table(transitions: list[Transition]) -> dict[Event, Transition]:
    return {transition.event: transition for transition in transitions}


# The one table: flow -> event -> transition.
FLOWS: dict[Flow, dict[Event, Transition]] = {
    Flow.DOA_LIMA: _table(_DOA_VISIT),
    Flow.DOA_PROVINCES: _table(_DOA_VISIT),
    Flow.DOA_STORE: _table(_DOA_VISIT),
    Flow.DOA_COUNTER: _table(_DOA_COUNTER),
    Flow.WARRANTY_LIMA: _table(_CUSTOMER_BRINGS),
    Flow.WALK_IN: _table(_CUSTOMER_BRINGS),
    Flow.WARRANTY_PROVINCES: _table(_ST_MOVES),
    Flow.WARRANTY_STORE: _table(_ST_MOVES),
}

DOA_FLOWS: frozenset[Flow] = frozenset(
    {Flow.DOA_LIMA, Flow.DOA_PROVINCES, Flow.DOA_STORE, Flow.DOA_COUNTER}
)


class IllegalTransition(ValueError):
    """Raised when an event is not allowed for a case's flow and status."""


def choose_flow(kind: str, zone: str, origin: Origin) -> Flow:
    """The flow for a case from its kind (doa/warranty), zone (lima/provinces) and origin."""
    doa = kind == "doa"
    lima = zone == "lima"
    if origin is Origin.ST_COUNTER:
        return Flow.DOA_COUNTER if doa else Flow.WALK_IN
    if origin is Origin.STORE:
        if doa:
            return Flow.DOA_STORE
        # In Lima the customer takes the unit to the ST counter, store or not.
        return Flow.WARRANTY_LIMA if lima else Flow.WARRANTY_STORE
    if doa:
        return Flow.DOA_LIMA if lima else Flow.DOA_PROVINCES
    return Flow.WARRANTY_LIMA if lima else Flow.WARRANTY_PROVINCES


def initial_status(flow: Flow) -> Status:
    """The state a new case starts in: a walk-in's unit is already at the counter."""
    return Status.IN_WORKSHOP if flow is Flow.WALK_IN else Status.RECEIVED


def allowed_events(flow: Flow, status: Status) -> list[Event]:
    """Events that may happen to a case of `flow` in `status`, in table order."""
    return [event for event, t in FLOWS[flow].items() if status in t.sources]


def transition(flow: Flow, status: Status, event: Event) -> Transition:
    """The transition `event` makes from `status` in `flow`.

    :raises IllegalTransition: with a Spanish message when the table does not allow it.
    """
    found = FLOWS[flow].get(event)
    if found is None:
        raise IllegalTransition(
            f"No se puede {EVENT_LABELS[event]} en un caso de flujo «{FLOW_LABELS[flow]}»."
        )
    if status not in found.sources:
        raise IllegalTransition(
            f"No se puede {EVENT_LABELS[event]}: el caso está «{STATUS_LABELS[status]}»."
        )
    return found


def path_to(flow: Flow, target: Status) -> list[Event]:
    """The shortest list of events that takes a new case of `flow` to `target`.

    :raises ValueError: when `target` cannot be reached in `flow`.
    """
    start = initial_status(flow)
    paths: list[tuple[Status, list[Event]]] = [(start, [])]
    seen = {start}
    while paths:
        status, events = paths.pop(0)
        if status == target:
            return events
        for event in allowed_events(flow, status):
            following = FLOWS[flow][event].target
            if following not in seen:
                seen.add(following)
                paths.append((following, [*events, event]))
    raise ValueError(f"{target} is not reachable in {flow}")


def reachable_statuses(flow: Flow) -> set[Status]:
    """Every state a case of `flow` can be in (for demo data and tests)."""
    seen = {initial_status(flow)}
    frontier = list(seen)
    while frontier:
        status = frontier.pop()
        for event in allowed_events(flow, status):
            target = FLOWS[flow][event].target
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen
