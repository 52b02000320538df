"""Demo data, for `flask seed-demo` (`make run` seeds an empty database): staff of every role,
the Call Center's API clients, and cases across Lima and the provinces in every state each flow
allows, with jobs, a published route for today, far jobs sent by carrier, and stock.

The parts: `organisation` (staff, programmes, counters, couriers), `cases` (cases, jobs,
routes), `evidence` (photos, signatures, carrier shipments), `stock`. Demo credentials live in
`organisation`, in demo data only: nothing in the app defaults to them.
"""

from __future__ import annotations

import random

from sqlalchemy import func, select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Flow
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Job, Programme, User
from fieldapp.models.types import utcnow
from fieldapp.ops.demo.cases import (
    FAR_CASES,
    Numbers,
    make_case,
    second_programme_cases,
    todays_routes,
)
from fieldapp.ops.demo.evidence import ship_far_jobs
from fieldapp.ops.demo.organisation import (
    BRANCH_OF,
    DEMO_API_KEY,
    DEMO_PASSWORD,
    DEMO_SECOND_API_KEY,
    EVERY_BRANCH,
    SECOND_PROGRAMME,
    STAFF,
    branches,
    couriers,
)
from fieldapp.ops.demo.stock import stock, stock_in_use
from fieldapp.services.accounts import users as accounts

__all__ = [
    "DEMO_API_KEY",
    "DEMO_PASSWORD",
    "DEMO_SECOND_API_KEY",
    "SECOND_PROGRAMME",
    "is_empty",
    "seed",
]


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
    counters = branches()
    for name, user in users.items():
        if user.role not in EVERY_BRANCH:
            user.branch_id = counters[BRANCH_OF.get(name, "san-isidro")].id
    second = Programme(**SECOND_PROGRAMME)
    second_client = ApiClient(name="Epson Call Center (demo)", programme=second)
    second_client.set_key(DEMO_SECOND_API_KEY)
    db.session.add_all([client, programme, second, second_client])
    couriers(users)
    db.session.flush()

    numbers = Numbers(rng)
    routes: dict = {}
    cases = []
    serial = iter(range(1, 10_000))
    for flow in Flow:
        for status in sorted(case_flow.reachable_statuses(flow)):
            path = case_flow.path_to(flow, status)
            cases.append(
                make_case(
                    rng, numbers, flow, path, next(serial), programme, client, users, routes, now
                )
            )
    todays_routes(users, routes, now)
    for n, (flow, ubigeo) in enumerate(FAR_CASES):
        cases.append(
            make_case(
                rng, numbers, flow, [], 900 + n, programme, client, users, routes, now, ubigeo
            )
        )
    ship_far_jobs(rng, users, now)
    cases.extend(second_programme_cases(rng, second, second_client, now))
    job_count = db.session.scalar(select(func.count()).select_from(Job))
    units = stock(rng, programme, now, numbers)
    db.session.flush()
    stock_in_use(users)
    return {"users": len(users), "cases": len(cases), "jobs": job_count, "stock_units": units}
