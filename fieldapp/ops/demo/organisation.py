"""Demo organisation: staff of every role, the two programmes' identities, the ST's counters and
the couriers (two in Lima, two provincial hubs). Demo credentials live here, in demo data only."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import (
    Branch,
    CourierProfile,
    User,
)

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
# Bound to no branch, so they choose one or every branch: the admin, the dispatcher who plans
# both counters' days and the provinces (Iquitos and Cusco fall to San Luis, the nearer), and the
# head supervisor who approves the jobs and watches the deadlines of both. Couriers and the
# technician belong to one counter.
EVERY_BRANCH = (Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR)


def branches() -> dict[str, Branch]:
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


def couriers(users: dict[str, User]) -> None:
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
