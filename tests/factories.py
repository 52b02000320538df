"""Factories for models, built through the same services the app uses."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, time, timedelta
from itertools import count

from PIL import Image, ImageDraw

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.deadlines import LIMA_TZ, add_business_days
from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Branch, Case, CourierProfile, Programme, User
from fieldapp.services.accounts import users
from fieldapp.services.cases import intake

PASSWORD = "correct-horse-battery"
_numbers = count(100001)


def user(role: Role | str = Role.ADMIN, username: str | None = None, **extra) -> User:
    """A user of `role` whose password is PASSWORD."""
    role = Role(role)
    made = users.create_user(username or f"{role.value}{next(_numbers)}", PASSWORD, role, **extra)
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


def second_programme() -> Programme:
    """The demo's second programme (Epson: 7-day DOA, 24 months, 2 letters + 8 digits)."""
    from fieldapp.ops.demo import SECOND_PROGRAMME

    found = db.session.query(Programme).filter_by(code=SECOND_PROGRAMME["code"]).one_or_none()
    if found is not None:
        return found
    made = Programme(**SECOND_PROGRAMME)
    db.session.add(made)
    db.session.commit()
    return made


def api_client(
    key: str,
    name: str = "Kodak Call Center",
    for_programme: Programme | None = None,
    grant: bool = True,
) -> ApiClient:
    """The programme, and an active API client whose key is `key`: of `for_programme` (the
    Kodak programme by default), whose cases it reads; with `grant=False` of none (it reads
    only the cases it opens)."""
    kodak = programme()
    made = ApiClient(name=name, programme=(for_programme or kodak) if grant else None)
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


def case(actor=None, of_programme: Programme | None = None, **overrides) -> Case:
    """A stored case (see `case_input`) of `of_programme` (Kodak's by default)."""
    kodak = programme()
    made = intake.open_case(case_input(**overrides), actor, of_programme or kodak)
    db.session.commit()
    return made


def next_working_day() -> date:
    """The first business day after today in Lima (couriers work business days by default),
    so a dispatch test planned "tomorrow" still has couriers on a Friday or a Saturday."""
    return add_business_days(datetime.now(LIMA_TZ).date(), 1)


def days_ago(days: int) -> date:
    """The Lima date `days` ago."""
    return datetime.now(LIMA_TZ).date() - timedelta(days=days)


def signature_data_url(size: tuple[int, int] = (300, 120)) -> str:
    """A drawn signature as the signature pad sends it: a PNG `data:` URL with a scribble."""
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).line(
        [(8, size[1] - 12), (size[0] // 3, 14), (size[0] // 2, size[1] - 20), (size[0] - 8, 30)],
        "black",
        4,
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def courier_profile(
    user: User, capacity: int = 6, base=ST_COUNTER, vehicle: str = "car", **overrides
) -> CourierProfile:
    """`user`'s courier profile: based at `base` (the ST counter in San Isidro), 08:30–18:00;
    `overrides` set any other column (shift_start, base_name, …)."""
    values = {
        "base_name": "San Isidro",
        "base_lat": base[0],
        "base_lon": base[1],
        "vehicle": vehicle,
        "capacity": capacity,
        "shift_start": time(8, 30),
        "shift_end": time(18, 0),
        **overrides,
    }
    made = CourierProfile(user_id=user.id, **values)
    db.session.add(made)
    db.session.commit()
    return made


def branch(code: str, name: str, point: tuple[float, float], ubigeo: str = "150131") -> Branch:
    """An active branch (made once per database; the migrations make San Isidro)."""
    found = db.session.query(Branch).filter_by(code=code).one_or_none()
    if found is None:
        found = Branch(code=code, name=name, address=f"Av. Principal 100, {name}", ubigeo=ubigeo)
        db.session.add(found)
    found.lat, found.lon, found.active = point[0], point[1], True
    db.session.commit()
    return found
