"""Factories for models, built through the same services the app uses."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import date, datetime, time, timedelta
from itertools import count

from PIL import Image, ImageDraw
from sqlalchemy import select

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.deadlines import LIMA_TZ, add_business_days
from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.jobs import REQUIRED_PHOTOS, JobStatus
from fieldapp.domain.roles import Role
from fieldapp.domain.stock import StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import (
    ApiClient,
    Attachment,
    Branch,
    Case,
    CourierProfile,
    Job,
    Programme,
    Route,
    StockUnit,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services.accounts import users
from fieldapp.services.cases import intake, visits

PASSWORD = "correct-horse-battery"
_numbers = count(100001)
# The customer of every made case unless a test says otherwise (the API tests' body too).
CUSTOMER = {
    "name": "María Flores",
    "phone": "987654321",
    "email": "maria@correo.example",
    "document_id": "45678912",
    "address": "Av. Arequipa 1234",
    "ubigeo": "150122",
}


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
    customer = {**CUSTOMER, **overrides.pop("customer", {})}
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


def doa_case(**overrides) -> Case:
    """A stored case bought 5 days ago (a DOA swap in Lima) unless `overrides` say otherwise."""
    overrides.setdefault("purchase_date", days_ago(5))
    return case(**overrides)


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


def jpeg(colour: str = "steelblue", size: tuple[int, int] = (320, 240)) -> bytes:
    """A plain JPEG photo of one colour."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def png(size: tuple[int, int] = (240, 90), colour: str = "white") -> bytes:
    """A small PNG with a scribble on it (a signature as stored)."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).line(
        [(5, size[1] - 10), (size[0] // 2, 10), (size[0] - 5, 40)], "black", 3
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def image_b64(fmt: str = "JPEG", size: tuple[int, int] = (640, 480)) -> str:
    """A navy image in `fmt`, base64-encoded as the courier app sends photos."""
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, fmt)
    return base64.b64encode(out.getvalue()).decode()


def attachment(
    job: Job, kind: str, purpose: str, data: bytes | None = None, content_type: str | None = None
) -> Attachment:
    """Evidence of `job` (a photo, or the signature): with `data`, stored in the media store;
    without, a placeholder record (a fixed hash, 10 bytes) for tests that never read the file."""
    photo = kind == "photo"
    content_type = content_type or ("image/jpeg" if photo else "image/png")
    made = Attachment(
        case_id=job.case_id,
        job_id=job.id,
        kind=kind,
        purpose=purpose,
        sha256=media.store(data, content_type) if data else ("0" if photo else "1") * 64,
        content_type=content_type,
        size_bytes=len(data) if data else 10,
    )
    db.session.add(made)
    db.session.flush()
    return made


def job_photos(job: Job) -> tuple[str, ...]:
    """The photo purposes `job`'s kind requires before it can be closed."""
    return REQUIRED_PHOTOS[job.kind]


def stock_unit(number: str = "C765432") -> StockUnit:
    """A new unit on hand in Kodak's stock."""
    unit = StockUnit(
        programme_id=programme().id,
        service_number=number,
        category=StockCategory.NEW,
        status=StockStatus.ON_HAND,
    )
    db.session.add(unit)
    db.session.commit()
    return unit


def plan(job: Job, courier: User, day: date | None = None, published: bool = False) -> Route:
    """Put `job` last on `courier`'s route of `day` (today by default), made if missing (and
    then published now with `published`)."""
    day = day or days_ago(0)
    route = db.session.scalar(select(Route).where(Route.courier_id == courier.id, Route.day == day))
    if route is None:
        route = Route(courier=courier, day=day, published_at=utcnow() if published else None)
        db.session.add(route)
    route.jobs.append(job)
    job.status, job.sequence = JobStatus.PLANNED, len(route.jobs)
    db.session.flush()
    return route


def plan_job(case: Case, courier: User, day: date) -> tuple[Job, Route]:
    """Put the case's open job last on the courier's route of `day` (made if missing)."""
    job = visits.open_job(case)
    return job, plan(job, courier, day)


def published_stop(courier: User, **case_overrides) -> Job:
    """A DOA case (unless overridden) whose job is on today's route, published to `courier`."""
    job = visits.open_job(doa_case(**case_overrides))
    route = plan(job, courier, published=True)
    visits.on_publish(route, courier)
    db.session.commit()
    return job


def close_job(case, courier, *, lat=None, lon=None, checked=None, skew_minutes=0) -> Job:
    """Plan, arrive, record full (placeholder) evidence and complete the case's open job: done,
    waiting for review."""
    job, route = plan_job(case, courier, days_ago(0))
    visits.on_publish(route, courier)
    if lat is None:
        lat, lon = job.lat, job.lon
    now = utcnow()
    device = now + timedelta(minutes=skew_minutes)
    visits.arrive(job, courier, at=now, device_at=device, lat=lat, lon=lon, accuracy_m=10)
    for purpose in job_photos(job):
        attachment(job, "photo", purpose)
    attachment(job, "signature", "signature")
    job.checked_service_number = checked or case.unit.service_number
    job.replacement_service_number = "C765432"
    job.refilled_cartridges = False
    job.signer_name, job.signer_document_id = "María Flores", "45678912"
    db.session.flush()
    visits.complete(job, courier, at=now, device_at=device)
    db.session.commit()
    return job


def sync_action(job: Job, type_: str, **payload) -> dict:
    """One queued courier action as the phone's outbox sends it to /courier/sync."""
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "job_id": job.id,
        "device_at": "2026-11-24T15:04:05.000Z",
        "payload": payload,
    }


def doa_actions(job: Job, replacement: str = "C765432") -> list[dict]:
    """Every action a DOA swap needs, in the order a courier does them."""
    return [
        sync_action(job, "arrive", lat=-12.1, lon=-77.03, accuracy_m=15),
        sync_action(
            job,
            "check_number",
            service_number=job.case.unit.service_number.lower(),
            replacement=replacement,
        ),
        sync_action(job, "photo", purpose="proof_of_purchase", data=image_b64()),
        sync_action(job, "refill", refilled=False, accessories="Cable de poder"),
        sync_action(
            job,
            "signature",
            data=image_b64("PNG", (600, 200)),
            signer_name="María Flores",
            document_id="45678912",
        ),
        sync_action(job, "complete"),
    ]


def courier_with_profile(
    name: str, capacity: int = 6, base=ST_COUNTER, vehicle: str = "car", **profile
) -> User:
    """A courier `name` (full name `full_name` or `name` titled) with a profile based at `base`;
    `profile` sets any other column of it (shift_start, …)."""
    full_name = profile.pop("full_name", None) or name.title()
    made = user(Role.COURIER, username=name, full_name=full_name)
    courier_profile(made, capacity, base, vehicle, **profile)
    return made


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
