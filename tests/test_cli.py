"""CLI commands: create-user and seed-demo."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from fieldapp.domain import case_flow
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Zone
from fieldapp.domain.jobs import OPEN_JOB, JobStatus, job_needed
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import JobMode, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Case, Job, Route, Shipment, StockUnit, User
from fieldapp.models.types import utcnow
from fieldapp.services.accounts import users as accounts
from fieldapp.services.cases.history import jobs as jobs_of
from tests import factories

STRONG = "rimac-puente-balcon-47"


def test_create_user_makes_an_admin_with_a_hashed_password(runner):
    result = runner.invoke(args=["create-user", "jefa", "--name", "Jefa Uno", "--password", STRONG])
    assert result.exit_code == 0, result.output
    user = accounts.find_user("jefa")
    assert user.role is Role.ADMIN
    assert user.check_password(STRONG)
    assert user.full_name == "Jefa Uno"


def test_create_user_refuses_a_taken_name_and_a_short_password(runner):
    runner.invoke(args=["create-user", "jefa", "--password", STRONG])
    result = runner.invoke(args=["create-user", "jefa", "--password", STRONG])
    assert result.exit_code != 0
    assert "ya existe" in result.output
    result = runner.invoke(args=["create-user", "otro", "--password", "short"])
    assert "al menos 10 caracteres" in result.output
    assert accounts.find_user("otro") is None


@pytest.mark.parametrize(
    "password", ["12345678", "password", "1234567890", "password123", "kodak12345"]
)
def test_create_user_refuses_a_common_password(runner, password):
    result = runner.invoke(args=["create-user", "otro", "--password", password])
    assert result.exit_code != 0
    assert "fácil de adivinar" in result.output or "al menos 10" in result.output
    assert accounts.find_user("otro") is None


def test_create_user_refuses_a_password_made_of_the_username(runner):
    result = runner.invoke(args=["create-user", "mariaquispe", "--password", "mariaquispe2026"])
    assert result.exit_code != 0 and "fácil de adivinar" in result.output


@pytest.mark.parametrize("username", ["admіn", "jоse", "josé", "ana maria", "a", "x" * 40, "<b>"])
def test_create_user_refuses_confusable_or_non_ascii_usernames(runner, username):
    result = runner.invoke(args=["create-user", username, "--password", STRONG])
    assert result.exit_code != 0
    assert "letras a-z" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_demo_fills_an_empty_database_once(runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Datos de demostración cargados" in result.output

    users = {u.username: u for u in db.session.scalars(select(User))}
    expected = {
        "admin": Role.ADMIN,
        "dispatcher": Role.DISPATCHER,
        "courier": Role.COURIER,
        "courier2": Role.COURIER,
        "courier_trujillo": Role.COURIER,
        "courier_arequipa": Role.COURIER,
        "supervisor": Role.SUPERVISOR,
        "technician": Role.TECHNICIAN,
    }
    assert {name: u.role for name, u in users.items()} == expected
    assert all(u.check_password("fieldapp") for u in users.values())
    assert ApiClient.by_key("demo-callcenter-key") is not None

    # Every state each flow allows, in Lima and the provinces.
    seen = defaultdict(set)
    zones = set()
    for case in db.session.scalars(select(Case)):
        seen[case.flow].add(case.status)
        zones.add(case.zone)
    for flow in case_flow.Flow:
        assert seen[flow] == case_flow.reachable_statuses(flow), flow
    assert zones == {Zone.LIMA, Zone.PROVINCES}
    departments = {c.ubigeo[:2] for c in db.session.scalars(select(Case))}
    assert len(departments) >= 5
    assert db.session.scalar(select(func.count()).select_from(StockUnit)) > 0
    routes = db.session.scalars(select(Route)).all()
    assert routes and all(r.is_published and r.jobs for r in routes)
    today = utcnow().astimezone(LIMA_TZ).date()
    todays = [r for r in routes if r.day == today]
    assert {r.courier.username for r in todays} == {"courier", "courier2"}
    assert all(job.status is JobStatus.PLANNED for r in todays for job in r.jobs)
    # Every case that needs a visit has exactly one open job.
    for case in db.session.scalars(select(Case)):
        open_jobs = [j for j in jobs_of(case) if j.status in OPEN_JOB]
        needed = job_needed(case.flow, case.status)
        assert len(open_jobs) == (1 if needed else 0), (case.case_number, case.status)
        if needed:
            assert open_jobs[0].kind is needed

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0
    assert "ya tiene datos" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == len(expected)


def test_seed_demo_without_flag_refuses_a_full_database(runner):
    runner.invoke(args=["create-user", "jefa", "--password", STRONG])
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "no está vacía" in result.output


def test_seed_demo_sends_iquitos_and_cusco_by_agency_with_waybills(runner):
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    far = db.session.scalars(select(Job).where(Job.ubigeo.in_(["160101", "080101"]))).all()
    assert {job.ubigeo for job in far} == {"160101", "080101"}
    for job in far:
        assert job.mode is JobMode.CARRIER and job.route_id is None
        deadline = {d.name: d.due_at for d in job.case.deadlines}
        assert job.due_at == deadline["swap" if job.kind.value == "doa_swap" else "pickup"]
        legs = db.session.scalars(
            select(Shipment).where(Shipment.job_id == job.id).order_by(Shipment.id)
        ).all()
        assert legs and legs[0].waybill and legs[0].carrier in ("Shalom", "Olva Courier")
    statuses = {s.status for s in db.session.scalars(select(Shipment))}
    assert ShipmentStatus.IN_TRANSIT in statuses


def test_create_user_at_a_branch(runner):
    factories.branch("san-luis", "Mostrador San Luis", (-12.0756, -76.9936), "150134")
    args = [
        "create-user",
        "rosa",
        "--role",
        "courier",
        "--password",
        "cóndor-arequipa-volcán-misti",
    ]
    result = runner.invoke(args=[*args, "--branch", "san-luis"])
    assert result.exit_code == 0, result.output
    assert accounts.find_user("rosa").branch_id is not None
    wrong = runner.invoke(
        args=["create-user", "otra", "--password", "cóndor-arequipa-volcán-misti", "--branch", "x"]
    )
    assert wrong.exit_code != 0 and "No existe la sede x." in wrong.output
    assert accounts.find_user("otra") is None
