"""Demo cases across Lima and the provinces in every state each flow allows, with their jobs and
today's published routes, and the second programme's cases."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Origin
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.extensions import db
from fieldapp.models import (
    ApiClient,
    Case,
    Job,
    Programme,
    Route,
    User,
)
from fieldapp.ops.demo.evidence import demo_evidence
from fieldapp.services.cases import intake, visits
from fieldapp.services.cases.progress import apply_event

LIMA_DISTRICTS = ["150101", "150122", "150131", "150130", "150140", "150132", "150115", "070101"]


# Provinces the hubs reach by road within a shift; Iquitos and Cusco come as FAR_CASES, by agency.
PROVINCE_DISTRICTS = [
    "130101",
    "040101",
    "120101",
    "140101",
    "200101",
    "110101",
    "150801",
    "210101",
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


class Numbers:
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


def origin(flow: Flow) -> Origin:
    if flow in (Flow.DOA_STORE, Flow.WARRANTY_STORE):
        return Origin.STORE
    if flow in (Flow.DOA_COUNTER, Flow.WALK_IN):
        return Origin.ST_COUNTER
    return Origin.CALL_CENTER


def make_case(
    rng, numbers, flow, path, n, programme, client, users, routes, now, ubigeo=None
) -> Case:
    doa = flow in case_flow.DOA_FLOWS
    provinces = flow in (Flow.DOA_PROVINCES, Flow.WARRANTY_PROVINCES, Flow.WARRANTY_STORE)
    ubigeo = ubigeo or rng.choice(PROVINCE_DISTRICTS if provinces else LIMA_DISTRICTS)
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
    if origin(flow) is Origin.STORE:
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
        origin=origin(flow),
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
        demo_event(case, event, users, routes, at)
    return case


FAR_CASES = [
    (Flow.DOA_PROVINCES, "160101"),
    (Flow.WARRANTY_PROVINCES, "080101"),
    (Flow.DOA_PROVINCES, "080101"),
]


def second_programme_cases(rng, programme: Programme, client: ApiClient, now) -> list[Case]:
    """A few received cases of the second programme, sent by its own Call Center."""
    made = []
    for n, (ubigeo, days_since_purchase, family) in enumerate(
        [("150122", 5, "ET"), ("150131", 40, "ET"), ("040101", 200, "XP"), ("130101", 3, "XP")]
    ):
        received_at = now - timedelta(hours=rng.uniform(2, 30))
        district = Gazetteer.default().require(ubigeo)
        name = NAMES[(n + 7) % len(NAMES)]
        data = intake.CaseInput(
            case_number=f"ECC-2026-{7100 + n:05d}",
            service_number=f"{family}{rng.randint(10_000_000, 99_999_999)}",
            model="L3250" if family == "ET" else "XP-2101",
            purchase_date=received_at.astimezone(LIMA_TZ).date()
            - timedelta(days=days_since_purchase),
            received_at=received_at,
            proof_type="boleta",
            proof_number=f"B002-{rng.randint(1000, 99999)}",
            customer=intake.CustomerInput(
                name=name,
                phone=f"9{rng.randint(10000000, 99999999)}",
                email=None,
                document_id=f"{rng.randint(10000000, 79999999)}",
                address=f"{rng.choice(STREETS)} {rng.randint(100, 1999)}, {district.district}",
                ubigeo=ubigeo,
            ),
        )
        made.append(intake.open_case(data, client, programme, now=now))
    return made


def todays_routes(users: dict[str, User], routes: dict, now: datetime) -> None:
    """Every visit still planned goes on today's published routes, so the couriers have a day."""
    planned = db.session.scalars(
        select(Job).where(Job.status == JobStatus.PLANNED).order_by(Job.due_at)
    ).all()
    for route in routes.values():
        route.jobs = [job for job in route.jobs if job.status is not JobStatus.PLANNED]
    for index, job in enumerate(planned):
        route = route_for(routes, users["courier" if index % 2 else "courier2"], now)
        job.sequence = len(route.jobs) + 1
        route.jobs.append(job)
    for key, route in list(routes.items()):
        if not route.jobs:
            db.session.delete(route)
            del routes[key]


def route_for(routes: dict, courier: User, at: datetime) -> Route:
    """The published route of `courier` on the Lima day of `at` (made on first use)."""
    day = at.astimezone(LIMA_TZ).date()
    key = (courier.username, day)
    if key not in routes:
        routes[key] = Route(courier=courier, day=day, published_at=at)
        db.session.add(routes[key])
    return routes[key]


def demo_event(case: Case, event: Event, users: dict[str, User], routes: dict, at) -> None:
    """Apply `event` the way the app would: through the case's job where one is involved."""
    job = visits.open_job(case)
    courier = users["courier" if case.id % 2 else "courier2"]
    if event in (Event.SCHEDULE, Event.DISPATCH_RETURN) and job is not None:
        route = route_for(routes, courier, at)
        job.status = JobStatus.PLANNED
        job.sequence = len(route.jobs) + 1
        route.jobs.append(job)
    elif event in (Event.UNSCHEDULE, Event.RETURN_FAILED) and job is not None:
        job.status, job.failure_reason = JobStatus.FAILED, FailureReason.NOT_HOME
        job.completed_at, job.completed_by_id = at, courier.id
    elif event in (Event.SWAP, Event.PICK_UP, Event.RETURN_UNIT) and job is not None:
        job.arrived_at = at - timedelta(minutes=15)
        job.checked_service_number = case.unit.service_number
        if job.kind in (JobKind.DOA_SWAP, JobKind.STORE_SWAP):
            job.replacement_service_number = "T" + case.unit.service_number[1:][::-1]
        job.refilled_cartridges = False
        job.signer_name, job.signer_document_id = case.customer.name, case.customer.document_id
        job.arrival_lat, job.arrival_lon, job.arrival_accuracy_m = job.lat + 0.002, job.lon, 15.0
        job.device_arrived_at = job.arrived_at + timedelta(seconds=40)
        job.status, job.completed_at, job.completed_by_id = JobStatus.DONE, at, courier.id
        job.device_completed_at = at + timedelta(seconds=40)
        demo_evidence(job, courier)
    elif event is Event.CLOSE:
        done = db.session.scalars(
            select(Job).where(Job.case_id == case.id, Job.status == JobStatus.DONE)
        )
        for finished in done:
            finished.status, finished.reviewed_at = JobStatus.APPROVED, at
            finished.reviewed_by_id = users["supervisor"].id
    actor = users["supervisor"] if event is Event.CLOSE else users["technician"]
    apply_event(case, event, actor, note="Demo", at=at)
