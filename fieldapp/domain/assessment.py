"""Intake rules: what DOMAIN.md decides about a case as it arrives (API, counter form or CSV),
from its values alone — the checks of each field, DOA or warranty repair, the district, zone
and band, the flow and its deadlines. Storing the case is the service's part
(`services.cases.intake`); the counter form's live preview applies the same steps one by one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from fieldapp.domain import case_flow, service_number, warranty
from fieldapp.domain import stop_contact as contact
from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ, Deadline, case_deadlines, lima_date
from fieldapp.domain.geo import Gazetteer, Location, UnknownUbigeo, locate
from fieldapp.domain.intake_fields import check_texts
from fieldapp.domain.warranty import CaseKind, ProgrammeRules

CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class IntakeError(ValueError):
    """Invalid input: `errors` maps each field (nested as `customer.ubigeo`) to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CustomerInput:
    """The customer as the Call Center gives it."""

    name: str
    phone: str | None = None
    email: str | None = None
    document_id: str | None = None
    address: str | None = None
    ubigeo: str | None = None
    # The address's point when the Call Center or the counter knows it.
    lat: float | None = None
    lon: float | None = None


@dataclass
class StoreInput:
    """The store, for cases whose call was made at a store."""

    name: str
    ubigeo: str
    address: str | None = None
    phone: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class CaseInput:
    """A case as it arrives, already typed (the API, form and CSV parse into this)."""

    case_number: str
    service_number: str
    purchase_date: date | None  # None only from a form that lacks it (assess reports it)
    customer: CustomerInput
    product_type: str = warranty.PRINTER
    model: str | None = None
    failure_date: date | None = None
    received_at: datetime | None = None
    origin: Origin = Origin.CALL_CENTER
    store: StoreInput | None = None
    proof_type: str | None = None
    proof_number: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class IntakeSettings:
    """The rules' parameters (programme and app settings)."""

    rules: ProgrammeRules
    origin_point: tuple[float, float]
    thresholds_km: tuple[float, ...]
    overrides: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """What the rules decide about a case before it is stored."""

    service_number: service_number.ServiceNumber
    kind: CaseKind
    flow: Flow
    status: Status
    location: Location
    received_at: datetime
    failure_date: date
    deadlines: list[Deadline]


# -- the steps, each usable alone (the counter form's preview runs those it has values for) ----


def classify(purchase: date, failure: date, now: datetime, settings: IntakeSettings) -> CaseKind:
    """DOA or warranty repair, after refusing dates later than today (Lima).

    :raises warranty.WarrantyError: for dates in the future, a failure before the purchase, or a
        failure after the warranty ended (`field` names the date at fault).
    """
    warranty.check_dates(purchase, failure, lima_date(now))
    return warranty.classify(purchase, failure, settings.rules)


def place(ubigeo: str, settings: IntakeSettings) -> Location:
    """The district of `ubigeo` with its zone, distance and band from the serving branch.

    :raises UnknownUbigeo: when no district has that code.
    """
    return locate(
        ubigeo,
        Gazetteer.default(),
        origin=settings.origin_point,
        thresholds_km=settings.thresholds_km,
        overrides=settings.overrides,
    )


def plan(
    kind: CaseKind, location: Location, origin: Origin, received_at: datetime
) -> tuple[Flow, list[Deadline]]:
    """The case's flow and its deadlines from `received_at` (a walk-in's unit is at the counter
    then, so its workshop deadline starts too)."""
    flow = case_flow.choose_flow(kind, location.zone, origin)
    unit_received_at = received_at if flow is Flow.WALK_IN else None
    return flow, case_deadlines(flow, location.zone, location.band, received_at, unit_received_at)


def place_field(data: CaseInput) -> tuple[str, str]:
    """The field naming the district the ST deals with (the store's, or the customer's), and
    its UBIGEO trimmed."""
    if data.origin is Origin.STORE and data.store is not None:
        return "store.ubigeo", (data.store.ubigeo or "").strip()
    return "customer.ubigeo", (data.customer.ubigeo or "").strip()


# -- the whole check ---------------------------------------------------------------------------


def assess(data: CaseInput, settings: IntakeSettings, now: datetime) -> Assessment:
    """Apply every intake rule of DOMAIN.md to `data` at `now`, collecting all field errors.

    :raises IntakeError: with every invalid field and its message.
    """
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.case_number or not CASE_NUMBER.match(data.case_number.strip()):
        fail(
            "case_number",
            "Ingrese el número de caso del Call Center (letras, dígitos, «-», «_» o «.»).",
        )
    try:
        number = service_number.parse(data.service_number, settings.rules.number)
    except service_number.InvalidServiceNumber as exc:
        fail("service_number", str(exc))
        number = None
    try:
        warranty.check_product_type(data.product_type, settings.rules)
    except warranty.WarrantyError as exc:
        fail(exc.field, str(exc))

    received_at = data.received_at or now
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=LIMA_TZ)
    kind, failure_date = _assess_dates(data, received_at, now, settings, fail)
    check_texts(data, fail)
    _check_parties(data, fail)
    field_name, ubigeo = place_field(data)
    location = None
    if not ubigeo:
        fail(field_name, "Indique el distrito (UBIGEO).")
    else:
        try:
            location = place(ubigeo, settings)
        except UnknownUbigeo as exc:
            fail(field_name, str(exc))
    if data.customer.ubigeo and field_name != "customer.ubigeo":
        _check_ubigeo("customer.ubigeo", data.customer.ubigeo, fail)

    if errors or number is None or kind is None or location is None or failure_date is None:
        raise IntakeError(errors)
    flow, deadlines = plan(kind, location, data.origin, received_at)
    return Assessment(
        service_number=number,
        kind=kind,
        flow=flow,
        status=case_flow.initial_status(flow),
        location=location,
        received_at=received_at,
        failure_date=failure_date,
        deadlines=deadlines,
    )


def _assess_dates(
    data: CaseInput, received_at: datetime, now: datetime, settings: IntakeSettings, fail
) -> tuple[CaseKind | None, date | None]:
    """The kind and the failure date (the received date when none is given), when the dates
    allow; problems go to `fail`."""
    dates = [("received_at", received_at), ("purchase_date", data.purchase_date)]
    dates.append(("failure_date", data.failure_date))
    out_of_range = [name for name, value in dates if value and not _in_range(value)]
    for name in out_of_range:
        fail(name, f"Fecha fuera de rango (años {EARLIEST_YEAR}–{LATEST_YEAR}).")
    if data.purchase_date is None:
        fail("purchase_date", "Ingrese la fecha de compra.")
    if not out_of_range and received_at > now:
        fail("received_at", "La fecha de recepción no puede estar en el futuro.")
    if out_of_range or data.purchase_date is None:
        return None, data.failure_date
    failure_date = data.failure_date or lima_date(received_at)
    try:
        return classify(data.purchase_date, failure_date, now, settings), failure_date
    except warranty.WarrantyError as exc:
        fail(exc.field, str(exc))
        return None, failure_date


def _check_parties(data: CaseInput, fail) -> None:
    """The customer's name, the points given, and the store when there is (or must be) one."""
    if not (data.customer.name or "").strip():
        fail("customer.name", "Ingrese el nombre del cliente.")
    for prefix, party in (("customer", data.customer), ("store", data.store)):
        problem = contact.point_problem(party.lat, party.lon) if party is not None else None
        if problem:
            fail(f"{prefix}.lat", problem)
    if data.origin is Origin.STORE and data.store is None:
        fail("store", "Indique la tienda cuando el caso se registró en una tienda.")
    if data.store is not None:
        if not (data.store.name or "").strip():
            fail("store.name", "Ingrese el nombre de la tienda.")
        if data.origin is not Origin.STORE:
            _check_ubigeo("store.ubigeo", data.store.ubigeo, fail)


def _in_range(value: date | datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def _check_ubigeo(name: str, ubigeo: str | None, fail) -> None:
    try:
        Gazetteer.default().require((ubigeo or "").strip())
    except UnknownUbigeo as exc:
        fail(name, str(exc))
