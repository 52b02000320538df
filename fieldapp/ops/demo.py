"""Demo data: staff of every role, the Call Center's API client, and cases across Lima and the
provinces in every state each flow allows, with jobs, a published route for today and stock.

Demo credentials live here, in demo data only: nothing in the app defaults to them.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Origin
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import ST_COUNTER, Gazetteer
from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import LEGS, ShipmentStatus
from fieldapp.domain.stock import MovementKind, StockCategory, StockStatus
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
    StockMovement,
    StockUnit,
    User,
)
from fieldapp.models.types import utcnow
from fieldapp.services.accounts import users as accounts
from fieldapp.services.cases import intake, visits
from fieldapp.services.cases.progress import apply_event
from fieldapp.services.dispatch import carrier_shipments

DEMO_PASSWORD = "fieldapp"  # noqa: S105 - demo data only, printed by `make run`
DEMO_API_KEY = "demo-callcenter-key"
DEMO_SECOND_API_KEY = "demo-epson-key"
# A second brand beside Kodak, with its own rules: a 7-day DOA window, 24 months of warranty,
# service numbers of two letters and 8 digits, and its own referral centres.
SECOND_PROGRAMME = {
    "code": "epson-ecotank",
    "name": "Epson EcoTank — Garantía Perú",
    "brand": "Epson",
    "doa_days": 7,
    "warranty_months": 24,
    "service_number_pattern": r"[A-Z]{2}[0-9]{8}",
    "service_number_example": "ET12345678",
    "model_families": {"ET": "EcoTank", "XP": "Expression"},
    "referral_centres": ["Epson Centro de Servicio Lima"],
    "case_admin_email": "garantias@epson.example",
}
STAFF = [
    ("admin", Role.ADMIN, "Ana Administradora"),
    ("dispatcher", Role.DISPATCHER, "Diego Despacho"),
    ("courier", Role.COURIER, "Carlos Quispe"),
    ("courier2", Role.COURIER, "Rosa Huamán"),
    ("courier_trujillo", Role.COURIER, "Jorge Vásquez"),
    ("courier_arequipa", Role.COURIER, "Lucía Condori"),
    ("supervisor", Role.SUPERVISOR, "Sofía Supervisora"),
    ("technician", Role.TECHNICIAN, "Tomás Técnico"),
]
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
        name: accounts.create_user(
            # The demo's documented, shared password: development data only.
            name,
            DEMO_PASSWORD,
            role,
            full,
            enforce_password_policy=False,
        )
        for name, role, full in STAFF
    }
    client = ApiClient(name="Kodak Call Center (demo)")
    client.set_key(DEMO_API_KEY)
    programme = Programme(
        code="kodak-inkjet",
        name="Kodak Inkjet AiO — Garantía Perú",
        brand="Kodak",
        case_admin_email="case.admin@kodak.example",
    )
    client.programme = programme  # the Call Center reads every case of its programme
    counters = _branches()
    for name, user in users.items():
        if user.role is not Role.ADMIN:
            user.branch_id = counters[BRANCH_OF.get(name, "san-isidro")].id
    second = Programme(**SECOND_PROGRAMME)
    second_client = ApiClient(name="Epson Call Center (demo)", programme=second)
    second_client.set_key(DEMO_SECOND_API_KEY)
    db.session.add_all([client, programme, second, second_client])
    _couriers(users)
    db.session.flush()

    numbers = _Numbers(rng)
    routes: dict = {}
    cases = []
    serial = iter(range(1, 10_000))
    for flow in Flow:
        for status in sorted(case_flow.reachable_statuses(flow)):
            path = case_flow.path_to(flow, status)
            cases.append(
                _case(rng, numbers, flow, path, next(serial), programme, client, users, routes, now)
            )
    _todays_routes(users, routes, now)
    for n, (flow, ubigeo) in enumerate(FAR_CASES):
        cases.append(
            _case(rng, numbers, flow, [], 900 + n, programme, client, users, routes, now, ubigeo)
        )
    _carrier_shipments(rng, users, now)
    cases.extend(_second_programme_cases(rng, second, second_client, now))
    job_count = db.session.scalar(select(func.count()).select_from(Job))
    units = _stock(rng, programme, now, numbers)
    db.session.flush()
    _stock_in_use(users)
    return {"users": len(users), "cases": len(cases), "jobs": job_count, "stock_units": units}


# The ST's two counters in Lima (the source deck); the hubs report to San Isidro.
SAN_LUIS = (-12.0756, -76.9936)
BRANCHES = [
    (
        "san-isidro",
        "Mostrador San Isidro",
        "Av. Javier Prado Oeste 757, San Isidro",
        "150131",
        ST_COUNTER,
    ),
    ("san-luis", "Mostrador San Luis", "Av. Nicolás Arriola 1250, San Luis", "150134", SAN_LUIS),
]
BRANCH_OF = {"courier2": "san-luis"}


def _branches() -> dict[str, Branch]:
    """The counters (San Isidro may exist already: the migration that added branches made it)."""
    made = {}
    for code, name, address, ubigeo, (lat, lon) in BRANCHES:
        branch = db.session.scalar(select(Branch).where(Branch.code == code))
        if branch is None:
            branch = Branch(code=code)
            db.session.add(branch)
        branch.name, branch.address, branch.ubigeo = name, address, ubigeo
        branch.lat, branch.lon = lat, lon
        made[code] = branch
    db.session.flush()
    return made


# Couriers: one from each counter in Lima, and the hubs that serve the north and the south.
COURIERS = [
    ("courier", "Mostrador San Isidro", ST_COUNTER, "motorcycle", 2),
    ("courier2", "Mostrador San Luis", SAN_LUIS, "car", 6),
    ("courier_trujillo", "Hub Trujillo", (-8.1116, -79.0288), "van", 20),
    ("courier_arequipa", "Hub Arequipa", (-16.3989, -71.5350), "car", 6),
]


def _couriers(users: dict[str, User]) -> None:
    for name, base, (lat, lon), vehicle, capacity in COURIERS:
        db.session.add(
            CourierProfile(
                user=users[name],
                base_name=base,
                base_lat=lat,
                base_lon=lon,
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


def _case(rng, numbers, flow, path, n, programme, client, users, routes, now, ubigeo=None) -> Case:
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
        _demo_event(case, event, users, routes, at)
    return case


# Far provinces no courier reaches within a shift: Iquitos (no road) and Cusco go by agency.
FAR_CARRIERS = {
    "160101": ("Shalom", "Shalom Iquitos, Av. Quiñones 1200"),
    "080101": ("Olva Courier", "Olva Cusco, Av. de la Cultura 820"),
}
FAR_CASES = [
    (Flow.DOA_PROVINCES, "160101"),
    (Flow.WARRANTY_PROVINCES, "080101"),
    (Flow.DOA_PROVINCES, "080101"),
]


def _carrier_shipments(rng, users: dict[str, User], now: datetime) -> None:
    """Jobs waiting in Iquitos and Cusco are sent by agency with waybills (deadlines as any
    job's); the first of them is already handed over and travelling."""
    waiting = db.session.scalars(
        select(Job)
        .where(Job.status == JobStatus.PENDING, Job.ubigeo.in_(list(FAR_CARRIERS)))
        .order_by(Job.due_at)
    ).all()
    dispatcher = users["dispatcher"]
    for index, job in enumerate(waiting):
        carrier, branch = FAR_CARRIERS[job.ubigeo]
        prefix = "SH" if carrier == "Shalom" else "OL"
        legs = LEGS[job.kind]
        made = carrier_shipments.book(
            job,
            carrier_shipments.Booking(
                carrier=carrier,
                agency_branch=branch,
                declared_units=1,
                cost=Decimal("38.00") + len(legs) * 7,
                waybills={legs[0]: f"{prefix}-{rng.randint(1000000, 9999999)}"},
            ),
            dispatcher,
        )
        if index == 0:
            photo, _type, _size = _demo_picture((200, 190, 150), "guia")
            for status, hours in ((ShipmentStatus.HANDED_OVER, 3), (ShipmentStatus.IN_TRANSIT, 1)):
                carrier_shipments.advance(
                    made[0],
                    carrier_shipments.Move(
                        status, at=now - timedelta(hours=hours), waybill_photo=photo
                    ),
                    dispatcher,
                )
                photo = None


def _second_programme_cases(rng, programme: Programme, client: ApiClient, now) -> list[Case]:
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


def _demo_evidence(job: Job, courier: User) -> None:
    """Photos and a signature for a closed demo stop, drawn with Pillow, stored like uploads."""
    colour = (60 + job.id * 37 % 160, 90, 140)
    files = [(purpose, "photo", _demo_picture(colour, purpose)) for purpose in _photos_for(job)]
    files.append(("signature", "signature", _demo_signature(job.signer_name or "")))
    for purpose, kind, (data, content_type, size) in files:
        db.session.add(
            Attachment(
                case_id=job.case_id,
                job_id=job.id,
                kind=kind,
                purpose=purpose,
                sha256=media.store(data, content_type),
                content_type=content_type,
                size_bytes=len(data),
                width=size[0],
                height=size[1],
                uploaded_by_id=courier.id,
            )
        )


def _photos_for(job: Job) -> tuple[str, ...]:
    from fieldapp.domain.jobs import REQUIRED_PHOTOS

    return REQUIRED_PHOTOS[job.kind] or ("unit_condition",)


def _demo_picture(colour, label: str):
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 140, 520, 360), outline=(255, 255, 255), width=6)
    draw.text((140, 160), label.replace("_", " "), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue(), "image/jpeg", image.size


def _demo_signature(name: str):
    image = Image.new("RGB", (480, 180), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(30 + k * 14, 110 - (k * 37 % 50)) for k in range(30)]
    draw.line(points, fill=(20, 30, 90), width=3)
    draw.text((30, 150), name, fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue(), "image/png", image.size


def _todays_routes(users: dict[str, User], routes: dict, now: datetime) -> None:
    """Every visit still planned goes on today's published routes, so the couriers have a day."""
    planned = db.session.scalars(
        select(Job).where(Job.status == JobStatus.PLANNED).order_by(Job.due_at)
    ).all()
    for route in routes.values():
        route.jobs = [job for job in route.jobs if job.status is not JobStatus.PLANNED]
    for index, job in enumerate(planned):
        route = _route(routes, users["courier" if index % 2 else "courier2"], now)
        job.sequence = len(route.jobs) + 1
        route.jobs.append(job)
    for key, route in list(routes.items()):
        if not route.jobs:
            db.session.delete(route)
            del routes[key]


def _route(routes: dict, courier: User, at: datetime) -> Route:
    """The published route of `courier` on the Lima day of `at` (made on first use)."""
    day = at.astimezone(LIMA_TZ).date()
    key = (courier.username, day)
    if key not in routes:
        routes[key] = Route(courier=courier, day=day, published_at=at)
        db.session.add(routes[key])
    return routes[key]


def _demo_event(case: Case, event: Event, users: dict[str, User], routes: dict, at) -> None:
    """Apply `event` the way the app would: through the case's job where one is involved."""
    job = visits.open_job(case)
    courier = users["courier" if case.id % 2 else "courier2"]
    if event in (Event.SCHEDULE, Event.DISPATCH_RETURN) and job is not None:
        route = _route(routes, courier, at)
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
        _demo_evidence(job, courier)
    elif event is Event.CLOSE:
        done = db.session.scalars(
            select(Job).where(Job.case_id == case.id, Job.status == JobStatus.DONE)
        )
        for finished in done:
            finished.status, finished.reviewed_at = JobStatus.APPROVED, at
            finished.reviewed_by_id = users["supervisor"].id
    actor = users["supervisor"] if event is Event.CLOSE else users["technician"]
    apply_event(case, event, actor, note="Demo", at=at)


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
                StockMovement(kind=MovementKind.RECEIVED_FROM_MANUFACTURER, at=unit.received_at)
            )
            db.session.add(unit)
            made += 1
    return made


def _stock_in_use(users: dict[str, User]) -> None:
    """A collected DOA unit turned parts donor, and a new unit reserved for an open DOA swap."""
    from fieldapp.services.workshop import inventory

    tech = users["technician"]
    swapped = db.session.scalar(
        select(Case)
        .where(Case.flow == Flow.DOA_LIMA, Case.status == case_flow.Status.CLOSED)
        .order_by(Case.id)
    )
    if swapped is not None:
        donor = inventory.collect_doa(swapped, tech)
        inventory.make_parts_donor(
            donor, ["Cabezal de impresión", "Fuente de poder", "Bandeja"], tech
        )
    visit = db.session.scalar(
        select(Job)
        .where(Job.kind == JobKind.DOA_SWAP, Job.status.in_([JobStatus.PENDING, JobStatus.PLANNED]))
        .order_by(Job.due_at)
    )
    if visit is not None:
        inventory.reserve_for_job(visit, users["dispatcher"])
