"""Live feedback for the counter form: what the rules say about each field filled so far, before
anything is stored — the steps of `domain.assessment`, each run when its values are there (the full
check runs in `intake.open_case` on submit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from fieldapp.domain import service_number, warranty
from fieldapp.domain.assessment import IntakeSettings, classify, place, plan
from fieldapp.domain.case_flow import Flow, Origin
from fieldapp.domain.deadlines import Deadline, lima_date
from fieldapp.domain.geo import Location, UnknownUbigeo
from fieldapp.domain.warranty import CaseKind


@dataclass
class Preview:
    """The parts of the decision that the fields filled so far allow, and their problems."""

    number: service_number.ServiceNumber | None = None
    kind: CaseKind | None = None
    location: Location | None = None
    flow: Flow | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def preview(
    *,
    settings: IntakeSettings,
    now: datetime,
    raw_service_number: str | None,
    product_type: str,
    purchase_date: date | None,
    failure_date: date | None,
    ubigeo: str | None,
    origin: Origin,
) -> Preview:
    """Evaluate each rule whose inputs are present; never raises for bad input."""
    result = Preview()
    if raw_service_number:
        try:
            result.number = service_number.parse(raw_service_number, settings.rules.number)
        except service_number.InvalidServiceNumber as exc:
            result.errors["service_number"] = str(exc)
    try:
        warranty.check_product_type(product_type, settings.rules)
    except warranty.WarrantyError as exc:
        result.errors["product_type"] = str(exc)
    if purchase_date:
        try:
            result.kind = classify(purchase_date, failure_date or lima_date(now), now, settings)
        except warranty.WarrantyError as exc:
            result.errors[exc.field] = str(exc)
    if ubigeo:
        try:
            result.location = place(ubigeo, settings)
        except UnknownUbigeo as exc:
            result.errors["ubigeo"] = str(exc)
    if result.kind and result.location:
        result.flow, result.deadlines = plan(result.kind, result.location, origin, now)
    return result
