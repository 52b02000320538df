"""Demo data: staff of every role, the Call Center's API client, and cases across Lima and the
provinces in every state each flow allows, with jobs, a published route for today and stock.

Demo credentials live here, in demo data only: nothing in the app defaults to them.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import ST_COUNTER, Gazetteer
from fieldapp.domain.jobs import LOAD, JobKind, JobStatus
from fieldapp.domain.roles import Role
from fieldapp.domain.stock import MovementKind, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import (
    ApiClient,
    Case,
    CourierProfile,
    Job,
    Programme,
    Route,
    StockMovement,
    StockUnit,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services import accounts, intake
from fieldapp.services.case_flow import apply_event

DEMO_PASSWORD = "fieldapp"  # noqa: S105 - demo data only, printed by `make run`
DEMO_API_KEY = "demo-callcenter-key"
STAFF = [
    ("admin", Role.ADMIN, "Ana Administradora"),
    ("dispatcher", Role.DISPATCHER, "Diego Despacho"),
    ("courier", Role.COURIER, "Carlos Quispe"),
    ("courier2", Role.COURIER, "Rosa Huamán"),
    ("supervisor", Role.SUPERVISOR, "Sofía Supervisora"),
    ("technician", Role.TECHNICIAN, "Tomás Técnico"),
]
LIMA_DISTRICTS = ["150101", "150122", "150131", "150130", "150140", "150132", "150115", "070101"]
PROVINCE_DISTRICTS = [
    "130101",
    "040101",
    "080101",
    "120101",
    "140101",
    "200101",
    "110101",
    "150801",
    "210101",
    "160101",
    "020101",
    "100101",
]
NAMES = [
    "María Flores",
    "José Quispe",
    "Luis Mamani",
    "Carmen Rojas",
    "Jorge Chávez",
    "Lucía Vargas",
    "Pedro Ramírez",
    "Rosa Torres",
    "Miguel Castillo",
    "Elena Gutiérrez",
    "Juan Mendoza",
    "Patricia Díaz",
    "Carlos Sánchez",
    "Ana Huamán",
    "Víctor Paredes",
    "Gloria Cruz",
    "Raúl Espinoza",
    "Sandra Ramos",
    "Fernando Silva",
    "Julia Medina",
]
STREETS = [
    "Av. Arequipa",
    "Jr. de la Unión",
    "Av. Brasil",
    "Calle Los Olivos",
    "Av. Grau",
    "Jr. Ayacucho",
    "Av. Los Incas",
    "Calle Real",
    "Av. Bolognesi",
    "Jr. Junín",
]
MODELS = {"T": "ESP 3250", "C": "ESP 5250"}


class _Numbers:
    """Unique random service numbers (a letter and 6 digits)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def take(self, prefix: str) -> str:
        while True:
            number = f"{prefix}{self.rng.randint(100000, 999999)}"
            if number not in self.used:
                self.used.add(number)
                return number


def is_empty() -> bool:
    """Whether the database has no users yet (so `make run` seeds only once)."""
    return not db.session.scalar(select(func.count()).select_from(User))


def seed(seed_value: int = 2026) -> dict[str, int]:
    """Fill an empty database with demo data; returns counts of what was made."""
    rng = random.Random(seed_value)
    now = utcnow()
    users = {
        name: accounts.create_user(name, DEMO_PASSWORD, role, full) for name, role, full in STAFF
    }
    client = ApiClient(name="Kodak Call Center (demo)")
    client.set_key(DEMO_API_KEY)
    programme = Programme(
        code="kodak-inkjet",
        name="Kodak Inkjet AiO — Garantía Perú",
        brand="Kodak",
        case_admin_email="case.admin@kodak.example",
    )
    db.session.add_all([client, programme])
    _couriers(users)
    db.session.flush()

    numbers = _Numbers(rng)
    cases = []
    serial = iter(range(1, 10_000))
    for flow in Flow:
        for status in sorted(case_flow.reachable_statuses(flow)):
            path = case_flow.path_to(flow, status)
            cases.append(
                _case(rng, numbers, flow, path, next(serial), programme, client, users, now)
            )
    jobs = _jobs(cases, users, now)
    units = _stock(rng, programme, now, numbers)
    db.session.flush()
    return {"users": len(users), "cases": len(cases), "jobs": jobs, "stock_units": units}


def _couriers(users: dict[str, User]) -> None:
    for name, vehicle, capacity in (("courier", "motorcycle", 2), ("courier2", "car", 6)):
        db.session.add(
            CourierProfile(
                user=users[name],
                base_name="Mostrador San Isidro",
                base_lat=ST_COUNTER[0],
                base_lon=ST_COUNTER[1],
                vehicle=vehicle,
                capacity=capacity,
                shift_start=time(8, 30),
                shift_end=time(18, 0),
            )
        )


def _origin(flow: Flow) -> Origin:
    if flow in (Flow.DOA_STORE, Flow.WARRANTY_STORE):
        return Origin.STORE
    if flow in (Flow.DOA_COUNTER, Flow.WALK_IN):
        return Origin.ST_COUNTER
    return Origin.CALL_CENTER


def _case(rng, numbers, flow, path, n, programme, client, users, now) -> Case:
    doa = flow in case_flow.DOA_FLOWS
    provinces = flow in (Flow.DOA_PROVINCES, Flow.WARRANTY_PROVINCES, Flow.WARRANTY_STORE)
    ubigeo = rng.choice(PROVINCE_DISTRICTS if provinces else LIMA_DISTRICTS)
    district = Gazetteer.default().require(ubigeo)
    # Open cases recent (some at risk or overdue), finished ones older.
    age_hours = rng.uniform(2, 60) if len(path) < 3 else rng.uniform(72, 400)
    received_at = now - timedelta(hours=age_hours)
    purchase = received_at.astimezone(LIMA_TZ).date() - timedelta(
        days=rng.randint(3, 28) if doa else rng.randint(45, 330)
    )
    prefix = rng.choice("TC")
    name = NAMES[n % len(NAMES)]
    store = None
    if _origin(flow) is Origin.STORE:
        store = intake.StoreInput(
            name=rng.choice(["Hiraoka", "Saga Falabella", "Ripley", "Tottus", "Plaza Vea"])
            + f" {district.district}",
            ubigeo=ubigeo,
            address=f"{rng.choice(STREETS)} {rng.randint(100, 1999)}",
        )
    data = intake.CaseInput(
        case_number=f"KCC-2026-{4100 + n:05d}",
        service_number=numbers.take(prefix),
        model=MODELS[prefix],
        purchase_date=purchase,
        received_at=received_at,
        origin=_origin(flow),
        store=store,
        proof_type=rng.choice(["boleta", "factura"]),
        proof_number=f"B{rng.randint(1, 99):03d}-{rng.randint(1000, 99999)}",
        customer=intake.CustomerInput(
            name=name,
            phone=f"9{rng.randint(10000000, 99999999)}",
            email=f"{name.split()[0].lower()}.{n}@correo.example" if n % 3 else None,
            document_id=f"{rng.randint(10000000, 79999999)}",
            address=f"{rng.choice(STREETS)} {rng.randint(100, 1999)}, {district.district}",
            ubigeo=ubigeo,
        ),
    )
    case = intake.open_case(data, client, programme, now=now)
    assert case.flow is flow, (case.flow, flow)
    step = (now - received_at) / (len(path) + 1)
    at = received_at
    for event in path:
        at += step
        actor = users["supervisor"] if event is Event.CLOSE else users["technician"]
        apply_event(case, event, actor, note="Demo", at=at)
    return case


def _job_kind(case: Case) -> JobKind:
    if case.flow is Flow.DOA_STORE:
        return JobKind.STORE_SWAP
    if case.flow is Flow.WARRANTY_STORE:
        return JobKind.STORE_PICKUP if case.status != Status.OUT_FOR_RETURN else JobKind.RETURN
    if case.flow in case_flow.DOA_FLOWS:
        return JobKind.DOA_SWAP
    return JobKind.RETURN if case.status == Status.OUT_FOR_RETURN else JobKind.PICKUP


# Case status -> the state of the case's current job.
_JOB_STATUS = {
    Status.RECEIVED: JobStatus.PENDING,
    Status.REPAIRED: JobStatus.PENDING,
    Status.SCHEDULED: JobStatus.PLANNED,
    Status.OUT_FOR_RETURN: JobStatus.PLANNED,
    Status.SWAPPED: JobStatus.DONE,
    Status.PICKED_UP: JobStatus.DONE,
    Status.RETURNED: JobStatus.DONE,
    Status.CLOSED: JobStatus.APPROVED,
}


def _jobs(cases: list[Case], users: dict[str, User], now: datetime) -> int:
    today = now.astimezone(LIMA_TZ).date()
    routes = {
        name: Route(courier=users[name], day=today, published_at=now)
        for name in ("courier", "courier2")
    }
    db.session.add_all(routes.values())
    count = 0
    for case in cases:
        status = _JOB_STATUS.get(case.status)
        if case.flow not in case_flow.ST_MOVES_UNIT or status is None:
            continue
        if case.status == Status.REPAIRED and case.flow not in (
            Flow.WARRANTY_PROVINCES,
            Flow.WARRANTY_STORE,
        ):
            continue
        kind = _job_kind(case)
        place = case.store or case.customer
        district = Gazetteer.default().require(case.ubigeo)
        open_deadlines = [d.due_at for d in case.deadlines if d.done_at is None]
        job = Job(
            case=case,
            kind=kind,
            status=status,
            address=place.address,
            ubigeo=case.ubigeo,
            lat=district.lat,
            lon=district.lon,
            due_at=min(open_deadlines) if open_deadlines else now,
            units_out=LOAD[kind][0],
            units_in=LOAD[kind][1],
        )
        if status is JobStatus.PLANNED:
            route = routes["courier" if count % 2 else "courier2"]
            job.sequence = len(route.jobs) + 1
            route.jobs.append(job)
        if status in (JobStatus.DONE, JobStatus.APPROVED):
            job.completed_at = case.updated_at or now
            job.completed_by_id = users["courier"].id
            job.signer_name = case.customer.name
            job.checked_service_number = case.unit.service_number
        if status is JobStatus.APPROVED:
            job.reviewed_at = case.closed_at
            job.reviewed_by_id = users["supervisor"].id
        db.session.add(job)
        count += 1
    return count


def _stock(rng, programme: Programme, now: datetime, numbers: _Numbers) -> int:
    made = 0
    for category, count in ((StockCategory.NEW, 12), (StockCategory.EXCHANGE, 5)):
        for _ in range(count):
            prefix = rng.choice("TC")
            unit = StockUnit(
                programme_id=programme.id,
                service_number=numbers.take(prefix),
                model=MODELS[prefix],
                model_family="ESP 3" if prefix == "T" else "ESP 5",
                category=category,
                status=StockStatus.ON_HAND,
                received_at=now - timedelta(days=20),
            )
            unit.movements.append(
                StockMovement(kind=MovementKind.RECEIVED_FROM_KODAK, at=unit.received_at)
            )
            db.session.add(unit)
            made += 1
    return made
