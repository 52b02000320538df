"""Data for `bench/load.py`, written through the app's own services in an app context.

`prepare`: N couriers (with profiles) each with a published route for today of STOPS warranty
pickups in Lima, D dispatchers, and some pending cases for tomorrow's optimisation; prints a JSON
plan (logins, each courier's stops and their service numbers). `count`: prints what the server
recorded (sync_action rows, attachments, jobs done) as JSON. The database comes from
DATABASE_URL and must already be migrated. Also the helpers `load.py` uses to make databases
and watch gunicorn's processes.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from fieldapp import create_app
from fieldapp.domain.case_flow import Origin
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import ST_COUNTER
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, CourierProfile, Job, Programme, Route, SyncAction
from fieldapp.models.types import utcnow
from fieldapp.services.accounts import users
from fieldapp.services.cases import intake, visits

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = "postgresql://fieldapp:fieldapp@127.0.0.1:5432/postgres"
PASSWORD = "load-bench-password"  # noqa: S105 - bench data only
# Route stops: warranty pickups in the provinces (no stock needed). Pending: DOA swaps in Lima.
PROVINCES = ["130101", "040101", "080101", "120101", "140101", "200101", "110101"]
LIMA = ["150101", "150122", "150131", "150130", "150140", "150132", "150115"]


def _case(n: int, programme: Programme, now, doa_lima: bool):
    """A warranty case in the provinces (its job is a pickup) or a DOA in Lima (a swap)."""
    ubigeo = (LIMA if doa_lima else PROVINCES)[n % 7]
    days_to_purchase = 5 if doa_lima else 120
    data = intake.CaseInput(
        case_number=f"LOAD-{n:06d}",
        service_number=f"T{n:06d}",
        model="ESP 3250",
        purchase_date=(now - timedelta(days=days_to_purchase)).date(),
        received_at=now - timedelta(hours=2),
        origin=Origin.CALL_CENTER,
        proof_type="boleta",
        proof_number=f"B001-{n:05d}",
        customer=intake.CustomerInput(
            name="María Flores",
            phone="987654321",
            email=None,
            document_id="45678912",
            address=f"Av. Arequipa {1000 + n}",
            ubigeo=ubigeo,
        ),
    )
    return intake.open_case(data, None, programme, now=now)


def prepare(couriers: int, stops: int, dispatchers: int, pending: int) -> dict:
    """Make the bench's users, routes and cases; the plan `load.py` drives."""
    now = utcnow()
    programme = Programme(
        code="kodak-inkjet",
        name="Kodak Inkjet AiO",
        brand="Kodak",
        case_admin_email="case.admin@kodak.example",
    )
    db.session.add(programme)
    admin = users.create_user("loadadmin", PASSWORD, Role.ADMIN)
    plan = {"password": PASSWORD, "couriers": [], "dispatchers": []}
    for d in range(dispatchers):
        users.create_user(f"loaddisp{d:02d}", PASSWORD, Role.DISPATCHER)
        plan["dispatchers"].append(f"loaddisp{d:02d}")
    db.session.flush()
    today = now.astimezone(LIMA_TZ).date()
    serial = 1
    for c in range(couriers):
        user = users.create_user(f"loadcourier{c:03d}", PASSWORD, Role.COURIER)
        db.session.add(
            CourierProfile(
                user=user,
                base_name="Mostrador San Isidro",
                base_lat=ST_COUNTER[0],
                base_lon=ST_COUNTER[1],
                vehicle="motorcycle",
                capacity=6,
                shift_start=time(8, 30),
                shift_end=time(18, 0),
            )
        )
        route = Route(courier=user, day=today, published_at=now)
        db.session.add(route)
        entry = {"username": user.username, "stops": []}
        for _ in range(stops):
            case = _case(serial, programme, now, False)
            serial += 1
            job = visits.open_job(case)
            route.jobs.append(job)
            job.status, job.sequence = JobStatus.PLANNED, len(route.jobs)
            entry["stops"].append(
                {"job_id": None, "service_number": case.unit.service_number, "_job": job}
            )
        db.session.flush()
        visits.on_publish(route, admin)
        for stop in entry["stops"]:
            stop["job_id"] = stop.pop("_job").id
        plan["couriers"].append(entry)
    for _ in range(pending):
        _case(serial, programme, now, True)
        serial += 1
    db.session.commit()
    return plan


def count() -> dict:
    """What the server recorded: sync actions, attachments by kind, jobs by status."""
    kinds = dict(
        db.session.execute(select(Attachment.kind, func.count()).group_by(Attachment.kind)).all()
    )
    statuses = dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    ids = db.session.scalars(select(SyncAction.client_id)).all()
    return {
        "sync_actions": len(ids),
        "sync_action_ids": ids,
        "attachments": kinds,
        "jobs": {status.value: n for status, n in statuses.items()},
    }


# --- Payloads: photos, signatures, actions -----------------------------------------------------


def photo(rng: random.Random, base: Image.Image, size=(1280, 960)) -> str:
    """A ~300 KB JPEG: a smooth picture with sensor-like noise, unique per call."""
    noise = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    Image.blend(base, noise, 0.11).save(out, "JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


def signature(rng: random.Random) -> str:
    """A signature drawing as the phone's canvas sends it (PNG)."""
    img = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(img)
    points = [(30 + i * 18, 100 + rng.randint(-60, 60)) for i in range(30)]
    draw.line(points, fill="black", width=3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def action(job_id: int, type_: str, **payload) -> dict:
    """One queued action as the phone sends it, with a fresh client id."""
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "job_id": job_id,
        "device_at": datetime.now(UTC).isoformat(),
        "payload": payload,
    }


def courier_actions(stop: dict, photo: str, signature: str) -> list[dict]:
    """The actions a warranty pickup needs, in the order a courier does them."""
    job_id = stop["job_id"]
    return [
        action(job_id, "arrive", lat=-8.11, lon=-79.03, accuracy_m=12),
        action(job_id, "check_number", service_number=stop["service_number"].lower()),
        action(job_id, "photo", purpose="unit_condition", data=photo),
        action(job_id, "refill", refilled=False, accessories="Cable de poder"),
        action(
            job_id, "signature", data=signature, signer_name="María Flores", document_id="45678912"
        ),
        action(job_id, "complete"),
    ]


# --- Helpers for load.py: databases and gunicorn's processes -----------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def status_kb(pid: int, key: str) -> int | None:
    """A kB figure of /proc/<pid>/status (VmHWM: peak RSS)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run(cmd: list[str], env: dict) -> str:
    """Run a command in the repository root; its stdout, or exit with its stderr."""
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def new_database(engine: str, folder: Path) -> tuple[str, str | None]:
    """A fresh database: its URL and, for PostgreSQL, its name (to drop afterwards)."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'load.db'}", None
    import psycopg

    name = f"fieldapp_load_{datetime.now(UTC):%Y%m%d_%H%M%S}_{secrets.token_hex(2)}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name, name


def drop_database(name: str) -> None:
    """Drop a bench database."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Run `prepare` or `count` in the app's context and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["prepare", "count"])
    parser.add_argument("--couriers", type=int, default=50)
    parser.add_argument("--stops", type=int, default=4)
    parser.add_argument("--dispatchers", type=int, default=3)
    parser.add_argument("--pending", type=int, default=40)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if args.command == "prepare":
            result = prepare(args.couriers, args.stops, args.dispatchers, args.pending)
        else:
            result = count()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
