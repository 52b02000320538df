"""Factories for models, built through the same services the app uses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import count

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.deadlines import LIMA_TZ, add_business_days
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Case, Programme, User
from fieldapp.services import accounts, intake

PASSWORD = "correct-horse-battery"
_numbers = count(100001)


def user(role: Role | str = Role.ADMIN, username: str | None = None, **extra) -> User:
    """A user of `role` whose password is PASSWORD."""
    role = Role(role)
    made = accounts.create_user(
        username or f"{role.value}{next(_numbers)}", PASSWORD, role, **extra
    )
    db.session.commit()
    return made


def programme(**extra) -> Programme:
    """The Kodak programme (made once per database)."""
    found = db.session.query(Programme).filter_by(code="kodak-inkjet").one_or_none()
    if found is not None:
        return found
    made = Programme(
        code="kodak-inkjet",
        name="Kodak Inkjet AiO",
        brand="Kodak",
        case_admin_email="case.admin@kodak.example",
        **extra,
    )
    db.session.add(made)
    db.session.commit()
    return made


def api_client(key: str, name: str = "Kodak Call Center", grant: bool = True) -> ApiClient:
    """The programme, and an active API client whose key is `key`: granted the programme's
    cases (the Call Center), or without a grant (it reads only the cases it opens)."""
    kodak = programme()
    made = ApiClient(name=name, programme_id=kodak.id if grant else None)
    made.set_key(key)
    db.session.add(made)
    db.session.commit()
    return made


def case_input(**overrides) -> intake.CaseInput:
    """A valid warranty case in Lima unless `overrides` say otherwise."""
    received = overrides.pop("received_at", None) or datetime.now(LIMA_TZ) - timedelta(hours=1)
    customer = {
        "name": "María Flores",
        "phone": "987654321",
        "email": "maria@correo.example",
        "document_id": "45678912",
        "address": "Av. Arequipa 1234",
        "ubigeo": "150122",
        **overrides.pop("customer", {}),
    }
    values = {
        "case_number": f"KCC-{next(_numbers)}",
        "service_number": f"T{next(_numbers) % 1_000_000:06d}",
        "received_at": received,
        "origin": Origin.CALL_CENTER,
        **overrides,
    }
    if "purchase_date" not in values:
        values["purchase_date"] = received.date() - timedelta(days=90)
    return intake.CaseInput(customer=intake.CustomerInput(**customer), **values)


def case(actor=None, **overrides) -> Case:
    """A stored case (see `case_input`)."""
    programme()
    made = intake.open_case(case_input(**overrides), actor)
    db.session.commit()
    return made


def next_working_day() -> date:
    """The first business day after today in Lima (couriers work business days by default),
    so a dispatch test planned "tomorrow" still has couriers on a Friday or a Saturday."""
    return add_business_days(datetime.now(LIMA_TZ).date(), 1)


def days_ago(days: int) -> date:
    """The Lima date `days` ago."""
    return datetime.now(LIMA_TZ).date() - timedelta(days=days)
