"""Case intake: every way a case comes in (API, counter form, CSV) ends here, under one set of
rules (`domain.assessment`), so a case is either stored whole with its deadlines and audit event, or
not at all."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldapp.domain import assessment, case_flow
from fieldapp.domain.assessment import (
    Assessment,
    CaseInput,
    CustomerInput,
    IntakeError,
    IntakeSettings,
    StoreInput,
)
from fieldapp.domain.case_flow import Flow, Notice, Status
from fieldapp.domain.warranty import ProgrammeRules
from fieldapp.extensions import db
from fieldapp.models import (
    ApiClient,
    Branch,
    Case,
    CaseDeadline,
    Customer,
    DistrictBandOverride,
    Programme,
    Store,
    Unit,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import queries as case_queries
from fieldapp.services.cases import visits
from fieldapp.services.notifications import outbox
from fieldapp.services.organisation import branches

# The intake vocabulary is the domain's; callers of this use case take it from here.
__all__ = [
    "Assessment",
    "CaseInput",
    "CustomerInput",
    "DuplicateCase",
    "IntakeError",
    "IntakeSettings",
    "StoreInput",
    "active_programmes",
    "assess",
    "default_programme",
    "open_case",
    "programme_for",
    "settings_for",
]


class DuplicateCase(ValueError):
    """The case number is taken, or the unit already has an open case."""

    def __init__(self, message: str, field: str, existing: Case | None = None):
        super().__init__(message)
        self.field = field
        self.existing = existing


def settings_for(programme: Programme, branch: Branch | None = None) -> IntakeSettings:
    """The intake settings of `programme` (its rules, from the database) with the geography
    settings: distances measured from `branch` (the app's ST counter setting without one)."""
    config = current_app.config
    overrides = {o.ubigeo: o.band for o in db.session.scalars(select(DistrictBandOverride))}
    return IntakeSettings(
        rules=ProgrammeRules(
            doa_days=programme.doa_days,
            warranty_months=programme.warranty_months,
            camera_centres=tuple(programme.referral_centres or config["CAMERA_CENTRES"]),
            number=programme.number_rules,
        ),
        origin_point=branch.point
        if branch is not None
        else (config["ST_COUNTER_LAT"], config["ST_COUNTER_LON"]),
        thresholds_km=tuple(config["BAND_THRESHOLDS_KM"]),
        overrides=overrides,
    )


def active_programmes() -> list[Programme]:
    """The programmes the ST serves now, by name."""
    return list(
        db.session.scalars(
            select(Programme).where(Programme.active.is_(True)).order_by(Programme.name)
        )
    )


def programme_for(code: str | None) -> Programme:
    """The active programme with `code`; without a code, the only active one.

    :raises LookupError: for an unknown code, no programme at all, or no code while several
        programmes are active (the caller must say which).
    """
    found = active_programmes()
    if code:
        for programme in found:
            if programme.code == code.strip():
                return programme
        raise LookupError(f"No hay un programa de garantía activo «{code.strip()}».")
    if not found:
        raise LookupError("No hay un programa de garantía activo configurado.")
    if len(found) > 1:
        raise LookupError("Indique el programa de garantía del caso.")
    return found[0]


def default_programme() -> Programme:
    """The only active programme (see `programme_for`).

    :raises LookupError: when there is none, or several.
    """
    return programme_for(None)


def assess(data: CaseInput, settings: IntakeSettings, now: datetime | None = None) -> Assessment:
    """What the intake rules decide about `data` at `now` (the current time by default), with
    nothing stored.

    :raises IntakeError: with every invalid field and its message.
    """
    return assessment.assess(data, settings, now or utcnow())


def open_case(
    data: CaseInput,
    actor: User | ApiClient | None,
    programme: Programme | None = None,
    now: datetime | None = None,
) -> Case:
    """Assess `data`, then store the case with unit, customer, store, deadlines and audit event.

    :raises IntakeError: for invalid input (nothing is stored).
    :raises DuplicateCase: when the case number is taken or the unit has an open case.
    """
    if programme is None:
        client_programme = actor.programme if isinstance(actor, ApiClient) else None
        programme = client_programme or default_programme()
    branch = branches.serving(assessment.place_field(data)[1], actor)
    result = assess(data, settings_for(programme, branch), now)
    case_number = data.case_number.strip()
    existing = case_queries.find_by_number(case_number)
    if existing is not None:
        raise DuplicateCase(f"El caso {case_number} ya fue registrado.", "case_number", existing)
    unit = db.session.scalar(select(Unit).where(Unit.service_number == result.service_number.value))
    if unit is not None:
        open_one = db.session.scalar(
            select(Case).where(Case.unit_id == unit.id, Case.status.in_(case_flow.OPEN))
        )
        if open_one is not None:
            raise DuplicateCase(
                f"El equipo {unit.service_number} ya tiene un caso abierto "
                f"({open_one.case_number}).",
                "service_number",
                open_one,
            )
    try:
        with db.session.begin_nested():
            case = _store(data, result, unit, programme, actor, case_number)
            case.branch = branch
    except IntegrityError as exc:
        # Two requests raced past the checks above: the database's unique indexes decide.
        raise DuplicateCase(
            f"El caso {case_number} o el equipo {result.service_number.value} ya está registrado.",
            "case_number",
        ) from exc
    audit.record(
        "created",
        entity="case",
        entity_id=case.id,
        case_id=case.id,
        actor=actor,
        to_status=case.status.value,
        data={"flow": case.flow.value, "origin": case.origin.value},
    )
    outbox.queue(case, Notice.CASE_RECEIVED, at=case.received_at)
    if case.status is Status.IN_WORKSHOP:  # a walk-in's unit is already at the counter
        outbox.queue(case, Notice.UNIT_RECEIVED, at=case.unit_received_at)
    db.session.flush()
    visits.sync_for_case(case, now=case.received_at)
    return case


def _store(
    data: CaseInput,
    result: Assessment,
    unit: Unit | None,
    programme: Programme,
    actor: User | ApiClient | None,
    case_number: str,
) -> Case:
    number = result.service_number
    if unit is None:
        unit = Unit(service_number=number.value)
        db.session.add(unit)
    unit.model_family = number.family
    unit.service_number_flag = number.flag
    unit.model = (data.model or "").strip() or unit.model
    customer = Customer(
        name=data.customer.name.strip(),
        phone=_clean(data.customer.phone),
        email=_clean(data.customer.email),
        document_id=_clean(data.customer.document_id),
        address=_clean(data.customer.address),
        ubigeo=_clean(data.customer.ubigeo),
        lat=data.customer.lat,
        lon=data.customer.lon,
    )
    store = None
    if data.store is not None:
        store = Store(
            name=data.store.name.strip(),
            address=_clean(data.store.address),
            ubigeo=data.store.ubigeo.strip(),
            phone=_clean(data.store.phone),
            lat=data.store.lat,
            lon=data.store.lon,
        )
    location = result.location
    case = Case(
        case_number=case_number,
        programme=programme,
        unit=unit,
        customer=customer,
        store=store,
        origin=data.origin,
        kind=result.kind,
        flow=result.flow,
        status=result.status,
        ubigeo=location.district.ubigeo,
        zone=location.zone,
        distance_km=location.distance_km,
        distance_band=location.band,
        purchase_date=data.purchase_date,
        failure_date=result.failure_date,
        proof_type=_clean(data.proof_type),
        proof_number=_clean(data.proof_number),
        notes=_clean(data.notes),
        unit_model=unit.model,
        received_at=result.received_at,
        unit_received_at=result.received_at if result.flow is Flow.WALK_IN else None,
        created_by_user_id=actor.id if isinstance(actor, User) else None,
        created_by_api_client_id=actor.id if isinstance(actor, ApiClient) else None,
        deadlines=[
            CaseDeadline(name=d.name, starts_at=d.starts_at, due_at=d.due_at)
            for d in result.deadlines
        ],
    )
    db.session.add(case)
    db.session.flush()
    return case


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
