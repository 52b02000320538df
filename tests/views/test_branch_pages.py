"""Two branches side by side: publishing, the review queue, the dashboard and the statement
show (and act on) only the branch the person works at; admins and staff bound to no branch
choose one or every branch ("Todas las sedes")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role, sees_every_branch
from fieldapp.extensions import db
from fieldapp.models import Job
from fieldapp.models.types import utcnow
from fieldapp.services.organisation import branches
from fieldapp.services.supervisor import approval
from tests import factories
from tests.conftest import csrf_token
from tests.factories import close_job, doa_case, plan_job

SAN_LUIS = (-12.0756, -76.9936)
ISIDRO_UBIGEO, LUIS_UBIGEO = "150131", "150134"  # served by the nearest counter


def this_month() -> str:
    """The current Lima month, read when a test runs."""
    return utcnow().astimezone(LIMA_TZ).strftime("%Y-%m")


@pytest.fixture
def counters(app):
    from fieldapp.domain.geo import ST_COUNTER

    return {
        "san-isidro": factories.branch("san-isidro", "Mostrador San Isidro", ST_COUNTER),
        "san-luis": factories.branch("san-luis", "Mostrador San Luis", SAN_LUIS, LUIS_UBIGEO),
    }


def _staff(role: Role, branch=None, **extra):
    user = factories.user(role, **extra)
    user.branch_id = branch.id if branch is not None else None
    db.session.commit()
    return user


def _switch(client, login, user, page: str) -> None:
    """Log out whoever is in (the CSRF token read from a `page` of theirs), then log `user` in."""
    client.post("/logout", data={"csrf_token": csrf_token(client, page)})
    login(user.username)


def _text(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


# --- the one rule -----------------------------------------------------------------------------


def test_who_may_choose_a_branch():
    assert sees_every_branch(Role.ADMIN, 1) and sees_every_branch(Role.ADMIN, None)
    assert sees_every_branch(Role.SUPERVISOR, None) and sees_every_branch(Role.DISPATCHER, None)
    assert not sees_every_branch(Role.SUPERVISOR, 1)
    assert not sees_every_branch(Role.DISPATCHER, 2)


def test_scope_for_a_bound_person_is_their_branch_whatever_they_ask(counters):
    luis = counters["san-luis"]
    bound = _staff(Role.SUPERVISOR, luis)
    for asked in (None, "all", "san-isidro", "nope"):
        scope = branches.scope_for(bound, asked)
        assert (scope.branch_id, scope.choosable, scope.code) == (luis.id, [], "san-luis")
    free = _staff(Role.SUPERVISOR)
    assert branches.scope_for(free).branch is None and branches.scope_for(free).code == "all"
    assert branches.scope_for(free, "san-luis").branch_id == luis.id
    assert branches.scope_for(free, "nope").branch is None
    admin = _staff(Role.ADMIN, counters["san-isidro"])
    assert branches.scope_for(admin).code == "san-isidro"  # their own until they choose
    assert branches.scope_for(admin, "all").branch is None
    assert {b.code for b in branches.scope_for(admin).choosable} >= {"san-isidro", "san-luis"}


# --- publishing -------------------------------------------------------------------------------


@pytest.fixture
def two_boards(counters):
    """A courier of each branch with a stop on today's route."""
    today = factories.days_ago(0)
    planned = {}
    for code, ubigeo, name in (
        ("san-isidro", ISIDRO_UBIGEO, "Carlos Isidro"),
        ("san-luis", LUIS_UBIGEO, "Rosa Luis"),
    ):
        courier = _staff(Role.COURIER, counters[code], full_name=name)
        factories.courier_profile(courier)
        case = doa_case(customer={"ubigeo": ubigeo})
        assert case.branch.code == code
        job, route = plan_job(case, courier, today)
        planned[code] = (job, case, route)
    db.session.commit()
    return today, planned


def test_a_branch_dispatcher_publishes_and_sees_only_the_branchs_routes(
    client, login, counters, two_boards
):
    today, planned = two_boards
    login(_staff(Role.DISPATCHER, counters["san-luis"]).username)
    board = _text(client, f"/dispatch/?day={today.isoformat()}&branch=san-isidro")
    assert "Rosa Luis" in board and "Carlos Isidro" not in board
    assert planned["san-luis"][1].case_number in board
    assert planned["san-isidro"][1].case_number not in board
    token = csrf_token(client, "/dispatch/")
    response = client.post(
        f"/dispatch/{today.isoformat()}/publish", data={"csrf_token": token, "branch": "san-isidro"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    luis_route, isidro_route = planned["san-luis"][2], planned["san-isidro"][2]
    assert luis_route.published_at is not None
    assert isidro_route.published_at is None  # San Isidro's dispatcher publishes their own
    assert planned["san-isidro"][0].tracking_token is None
    assert "Rutas publicadas a 1 courier." in _text(client, "/dispatch/")

    client.post(f"/dispatch/{today.isoformat()}/unpublish", data={"csrf_token": token})
    db.session.expire_all()
    assert luis_route.published_at is None


def test_an_admin_publishes_the_branch_chosen_or_every_branch(client, login, counters, two_boards):
    today, planned = two_boards
    login(_staff(Role.ADMIN).username)
    board = _text(client, f"/dispatch/?day={today.isoformat()}")
    assert "Rosa Luis" in board and "Carlos Isidro" in board and "Todas las sedes" in board
    assert '<input type="hidden" name="branch" value="all">' in board  # publish carries it
    token = csrf_token(client, "/dispatch/")
    client.post(
        f"/dispatch/{today.isoformat()}/publish?branch=san-isidro", data={"csrf_token": token}
    )
    db.session.expire_all()
    assert planned["san-isidro"][2].published_at is not None
    assert planned["san-luis"][2].published_at is None
    client.post(f"/dispatch/{today.isoformat()}/publish?branch=all", data={"csrf_token": token})
    db.session.expire_all()
    assert planned["san-luis"][2].published_at is not None


# --- the review queue -------------------------------------------------------------------------


@pytest.fixture
def waiting(counters):
    """A job of each branch closed by its courier, waiting for review."""
    found = {}
    for code, ubigeo in (("san-isidro", ISIDRO_UBIGEO), ("san-luis", LUIS_UBIGEO)):
        courier = _staff(Role.COURIER, counters[code], full_name=f"Courier {code}")
        case = doa_case(customer={"ubigeo": ubigeo})
        found[code] = close_job(case, courier)
    db.session.commit()
    return found


def test_a_branch_supervisor_reviews_only_the_branchs_jobs(client, login, counters, waiting):
    login(_staff(Role.SUPERVISOR, counters["san-luis"]).username)
    isidro, luis = waiting["san-isidro"], waiting["san-luis"]
    for url in ("/supervisor/", "/supervisor/?branch=all", "/supervisor/?branch=san-isidro"):
        page = _text(client, url)
        assert luis.case.case_number in page and isidro.case.case_number not in page
        assert "Todas las sedes" not in page
        assert "Courier san-luis" in page and "Courier san-isidro" not in page  # its couriers
    token = csrf_token(client, "/supervisor/")
    refused = client.post(f"/supervisor/jobs/{isidro.id}/approve", data={"csrf_token": token})
    assert refused.status_code == 404
    refused = client.post(
        f"/supervisor/jobs/{isidro.id}/reject",
        data={f"job{isidro.id}-csrf_token": token, f"job{isidro.id}-reason": "Foto borrosa"},
    )
    assert refused.status_code == 404
    client.post("/supervisor/bulk-approve?branch=all", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Job, isidro.id).status is JobStatus.DONE  # untouched
    assert db.session.get(Job, luis.id).status is JobStatus.APPROVED
    assert luis.case.status is Status.CLOSED and isidro.case.status is not Status.CLOSED


def test_a_supervisor_of_every_branch_chooses_one(client, login, counters, waiting):
    login(_staff(Role.SUPERVISOR).username)
    isidro, luis = waiting["san-isidro"], waiting["san-luis"]
    every = _text(client, "/supervisor/")
    assert isidro.case.case_number in every and luis.case.case_number in every
    assert "Todas las sedes" in every and "Mostrador San Luis" in every
    one = _text(client, "/supervisor/?branch=san-isidro")
    assert isidro.case.case_number in one and luis.case.case_number not in one
    assert '<option selected value="san-isidro">' in one or 'value="san-isidro" selected' in one
    token = csrf_token(client, "/supervisor/")
    response = client.post("/supervisor/bulk-approve?branch=san-isidro", data={"csrf_token": token})
    assert "branch=san-isidro" in response.headers["Location"]  # the choice is kept
    db.session.expire_all()
    assert db.session.get(Job, isidro.id).status is JobStatus.APPROVED
    assert db.session.get(Job, luis.id).status is JobStatus.DONE
    response = client.post(f"/supervisor/jobs/{luis.id}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    assert db.session.get(Job, luis.id).status is JobStatus.APPROVED


# --- dashboard and statement ------------------------------------------------------------------


@pytest.fixture
def both_branches_figures(counters):
    """Per branch: one case overdue now and one closed this month."""
    boss = _staff(Role.SUPERVISOR)
    made = {}
    for code, ubigeo, number in (
        ("san-isidro", ISIDRO_UBIGEO, "T500001"),
        ("san-luis", LUIS_UBIGEO, "T500002"),
    ):
        courier = _staff(Role.COURIER, counters[code], full_name=f"Courier {code}")
        overdue = doa_case(customer={"ubigeo": ubigeo}, received_at=utcnow() - timedelta(days=3))
        closed = doa_case(customer={"ubigeo": ubigeo}, service_number=number)
        approval.approve(close_job(closed, courier), boss)
        made[code] = (overdue, closed)
    db.session.commit()
    return made


def test_the_dashboard_counts_one_branch(client, login, counters, both_branches_figures):
    isidro_overdue = both_branches_figures["san-isidro"][0].case_number
    luis_overdue = both_branches_figures["san-luis"][0].case_number
    login(_staff(Role.SUPERVISOR, counters["san-luis"]).username)
    for url in ("/supervisor/dashboard", "/supervisor/dashboard?branch=all"):
        page = _text(client, url)
        assert luis_overdue in page and isidro_overdue not in page
        assert "Courier san-luis" in page and "Courier san-isidro" not in page
        assert "Todas las sedes" not in page
        assert '<span data-test="dashboard-branch">Mostrador San Luis</span>' in page
    _switch(client, login, _staff(Role.ADMIN), "/supervisor/dashboard")
    every = _text(client, "/supervisor/dashboard")
    assert luis_overdue in every and isidro_overdue in every and "Todas las sedes" in every
    one = _text(client, "/supervisor/dashboard?branch=san-isidro")
    assert isidro_overdue in one and luis_overdue not in one
    assert "Courier san-isidro" in one and "Courier san-luis" not in one


def test_the_statement_of_one_branch_names_it(client, login, counters, both_branches_figures):
    month = this_month()
    login(_staff(Role.SUPERVISOR).username)
    every = _text(client, f"/supervisor/statement?month={month}")
    assert "T500001" in every and "T500002" in every
    assert '<span data-test="statement-branch">Todas las sedes</span>' in every
    assert '<select id="branch" name="branch">' in every
    page = _text(client, f"/supervisor/statement?month={month}&branch=san-luis")
    assert "T500002" in page and "T500001" not in page
    assert '<span data-test="statement-branch">Mostrador San Luis</span>' in page
    assert "1 casos cerrados" in page
    assert "branch=san-luis" in page  # the downloads keep the branch
    response = client.get(f"/supervisor/statement?month={month}&branch=san-luis&format=csv")
    assert (
        f"liquidacion-kodak-inkjet-san-luis-{month}.csv" in response.headers["Content-Disposition"]
    )
    body = response.data.decode("utf-8-sig")
    assert "T500002" in body and "T500001" not in body

    _switch(client, login, _staff(Role.SUPERVISOR, counters["san-isidro"]), "/supervisor/")
    own = _text(client, f"/supervisor/statement?month={month}&branch=san-luis")
    assert "T500001" in own and "T500002" not in own
    assert '<span data-test="statement-branch">Mostrador San Isidro</span>' in own
    assert 'name="branch"' not in own


def test_the_cli_statement_of_one_branch(runner, counters, both_branches_figures):
    month = this_month()
    result = runner.invoke(args=["statement", month, "--branch", "san-luis"])
    assert result.exit_code == 0, result.output
    assert "Sede: Mostrador San Luis" in result.output
    assert f"Casos cerrados en {month}: 1" in result.output
    every = runner.invoke(args=["statement", month])
    assert "Sede: todas" in every.output and f"Casos cerrados en {month}: 2" in every.output
    bad = runner.invoke(args=["statement", month, "--branch", "lima-norte"])
    assert bad.exit_code != 0 and "No existe la sede lima-norte" in bad.output


def test_the_statement_pdf_names_the_branch(counters, both_branches_figures):
    import io

    from pypdf import PdfReader

    from fieldapp.services.supervisor import statement

    built = statement.build(this_month(), None, counters["san-luis"])
    assert [row.service_number for row in built.rows] == ["T500002"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(statement.to_pdf(built))).pages)
    assert "Sede Mostrador San Luis" in text.replace("\n", " ")
    assert db.session.scalar(select(Job.id).limit(1)) is not None


# --- the board's other actions ----------------------------------------------------------------


def test_a_branch_dispatcher_cannot_touch_another_branchs_jobs_or_couriers_by_url(
    client, login, counters, two_boards
):
    today, planned = two_boards
    login(_staff(Role.DISPATCHER, counters["san-luis"]).username)
    token = csrf_token(client, "/dispatch/")
    isidro_job, isidro_case, isidro_route = planned["san-isidro"]
    luis_job = planned["san-luis"][0]
    day = today.isoformat()
    for action in ("lock", "remove", "reserve", "release"):
        response = client.post(
            f"/dispatch/{day}/jobs/{isidro_job.id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 404, action
    assert client.get(f"/dispatch/jobs/{isidro_job.id}/carrier").status_code == 404
    assert client.get(f"/dispatch/shipments/jobs/{isidro_job.id}").status_code == 404
    isidro_courier = isidro_route.courier_id
    response = client.post(
        f"/dispatch/{day}/couriers/{isidro_courier}/availability",
        data={"csrf_token": token, "available": "0"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert isidro_job.route_id == isidro_route.id and not isidro_job.locked  # untouched
    # Their own branch's job: the same actions work.
    response = client.post(f"/dispatch/{day}/jobs/{luis_job.id}/lock", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert luis_job.locked
    assert client.get(f"/dispatch/jobs/{luis_job.id}/carrier").status_code == 200


def test_the_shipments_list_shows_the_branchs_carrier_jobs(client, login, counters, two_boards):
    _today, planned = two_boards
    admin = _staff(Role.ADMIN)
    login(admin.username)
    for code in ("san-isidro", "san-luis"):
        job = planned[code][0]
        path = f"/dispatch/jobs/{job.id}/carrier"
        response = client.post(
            path,
            data={
                "csrf_token": csrf_token(client, path),
                "carrier": "Shalom",
                "agency_branch": f"Shalom {code}",
                "declared_units": "1",
                "waybill_to_customer": f"SH-{code.upper()}",
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)
    every = _text(client, "/dispatch/shipments/?branch=all")
    assert "SH-SAN-ISIDRO" in every and "SH-SAN-LUIS" in every
    only_luis = _text(client, "/dispatch/shipments/?branch=san-luis")
    assert "SH-SAN-LUIS" in only_luis and "SH-SAN-ISIDRO" not in only_luis
    _switch(client, login, _staff(Role.DISPATCHER, counters["san-isidro"]), "/dispatch/")
    own = _text(client, "/dispatch/shipments/?branch=san-luis")  # asking changes nothing
    assert "SH-SAN-ISIDRO" in own and "SH-SAN-LUIS" not in own
    assert "Mostrador San Isidro" in own
