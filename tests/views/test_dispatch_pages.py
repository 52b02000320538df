"""The dispatch page as page and as htmx fragment, its actions, and the public tracking page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Route
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.conftest import csrf_token
from tests.factories import courier_with_profile as courier
from tests.services.test_dispatch import doa_jobs

HX = {"HX-Request": "true"}


@pytest.fixture
def day():
    return factories.next_working_day()


@pytest.fixture
def board(app, client, login, day):
    app.config["ROUTING_SECONDS"] = 0.5
    courier("ana", capacity=4)
    made = doa_jobs(3, day)
    login(factories.user(Role.DISPATCHER).username)
    return made


def _post(client, path, data=None, headers=None):
    data = {"csrf_token": csrf_token(client, "/dispatch/"), **(data or {})}
    return client.post(path, data=data, headers=headers or {})


def _optimise(client, day, background):
    """Press Optimizar and let the worker run it: the board polls the run, then comes back."""
    response = _post(client, f"/dispatch/{day.isoformat()}/optimise", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    run = re.search(r'hx-get="(/dispatch/runs/\d+)" hx-trigger="every 1s"', html)
    assert run, "the board shows the run's progress and polls it"
    background.drain()
    return client.get(run.group(1), headers=HX)


def test_board_as_page_and_as_fragment(client, board, day):
    page = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    assert "<html" in page and 'id="board"' in page
    assert "Por planificar (3)" in page
    assert board[0].case.case_number in page
    assert "<svg" in page and "Ana" in page
    fragment = client.get(f"/dispatch/?day={day.isoformat()}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="board"')


def test_optimise_runs_in_the_worker_and_the_poll_returns_the_new_board(
    client, board, day, background
):
    queued = _post(client, f"/dispatch/{day.isoformat()}/optimise", headers=HX)
    assert "Optimización en cola" in queued.get_data(as_text=True)
    assert {j.status for j in board} == {JobStatus.PENDING}  # the request did not solve it
    response = _optimise(client, day, background)
    html = response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#board"
    assert response.status_code == 200 and "<html" not in html
    assert "Plan optimizado: 3 paradas" in html
    assert "every 1s" not in html  # finished: no more polling
    assert "Por planificar (0)" in html
    assert len(re.findall(r'class="stop(?: locked)?"', html)) == 3
    assert {j.status for j in board} == {JobStatus.PLANNED}


def test_plain_form_post_redirects(client, board, day, background):
    response = _post(client, f"/dispatch/{day.isoformat()}/optimise")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/dispatch/?day={day.isoformat()}"
    background.drain()
    assert "Plan optimizado" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_stale_edit_is_refused_with_a_message(client, board, day, background):
    _optimise(client, day, background)
    route = db.session.scalar(select(Route))
    job = route.jobs[0]
    stale = route.version - 1
    response = _post(
        client,
        f"/dispatch/{day.isoformat()}/jobs/{job.id}/remove",
        {"version": stale},
        headers=HX,
    )
    assert response.status_code == 409
    assert "cambió mientras la editaba" in response.get_data(as_text=True)
    db.session.expire_all()
    assert job.route_id == route.id  # nothing changed


def test_publish_then_track(client, board, day, background):
    _optimise(client, day, background)
    response = _post(client, f"/dispatch/{day.isoformat()}/publish", headers=HX)
    assert "Rutas publicadas a 1 courier." in response.get_data(as_text=True)
    db.session.expire_all()
    job = board[0]
    anonymous = client.application.test_client()
    page = anonymous.get(f"/t/{job.tracking_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Hola, María" in html
    assert "Flores" not in html and job.case.customer.phone not in html
    assert "Le visitaremos el" in html
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert anonymous.get("/t/not-a-token").status_code == 404


def test_bad_day_and_unknown_job(client, board, day):
    assert client.get("/dispatch/?day=2026-13-45").status_code == 400
    response = _post(client, f"/dispatch/{day.isoformat()}/jobs/999999/lock", headers=HX)
    assert response.status_code == 404


def test_window_is_recorded(client, board, day):
    job = board[0]
    response = _post(
        client,
        f"/dispatch/{day.isoformat()}/jobs/{job.id}/window",
        {"slot": "exact", "at": "10:30"},
        headers=HX,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert job.window_start.astimezone(job.window_start.tzinfo).minute in (15,)
    bad = _post(
        client, f"/dispatch/{day.isoformat()}/jobs/{job.id}/window", {"slot": "exact"}, headers=HX
    )
    assert bad.status_code == 422
    assert "Indique una franja válida" in bad.get_data(as_text=True)


def test_unplanned_reasons_stay_on_the_job_cards_and_addresses_carry_district_and_city(
    client, board, day, background
):
    from tests.services.test_dispatch import doa_jobs as make_jobs

    (far,) = make_jobs(1, day, districts=["160101"])  # Iquitos: beyond any Lima shift
    far_number = far.case.case_number
    _optimise(client, day, background)
    # A later visit (another dispatcher, a reload) still says why the job was left out.
    html = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    card = re.search(
        rf'<li class="card job[^"]*"[^>]*>(?:(?!</li>).)*{far_number}.*?</li>', html, re.S
    )
    assert card is not None, "the unplanned job has a card"
    assert "data-unplanned-reason" in card[0]
    assert "Sin planificar: Demasiado lejos para la duración del turno" in card[0]
    assert "Av. Arequipa 1234, Iquitos, Maynas" in card[0]
    # Planned stops carry district and city too.
    assert re.search(r"Av\. Arequipa 1234, [A-Z][a-zñ ]+, Lima<", html)


def test_route_sheet_links_on_the_board_and_on_the_couriers_route(app, client, login):
    from datetime import datetime

    from fieldapp.domain.deadlines import LIMA_TZ
    from fieldapp.services.dispatch import publishing, route_edits
    from fieldapp.services.documents import issuing

    today = datetime.now(LIMA_TZ).date()
    ana = courier("ana", capacity=4)
    boss = factories.user(Role.DISPATCHER)
    for job in doa_jobs(2, today):
        route_edits.move(job, ana.id, today, boss)
    publishing.publish(today, boss)
    db.session.commit()
    route = db.session.scalar(select(Route).where(Route.courier_id == ana.id))
    login(boss.username)
    board_html = client.get(f"/dispatch/?day={today.isoformat()}").get_data(as_text=True)
    assert "Hoja de ruta en preparación" in board_html  # requested, not issued yet
    issue_pending()
    db.session.commit()
    sheet = issuing.route_sheet(route)
    link = f'href="/documents/{sheet.id}.pdf"'
    board_html = client.get(f"/dispatch/?day={today.isoformat()}").get_data(as_text=True)
    assert link in board_html and f"Hoja de ruta {sheet.number} (PDF)" in board_html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dispatch/")})
    login("ana")
    route_html = client.get("/courier/").get_data(as_text=True)
    assert link in route_html
    pdf = client.get(f"/documents/{sheet.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_board_and_case_history_speak_plain_spanish(app, client, login):
    """One stop is "1 parada" (not "1 paradas"), loads are words (not ↑1 ↓1), and the case
    history shows no raw codes such as "planned → in_progress" or "stock_delivered"."""
    from datetime import datetime

    from fieldapp.domain.deadlines import LIMA_TZ
    from fieldapp.services import audit
    from fieldapp.services.dispatch import route_edits

    today = datetime.now(LIMA_TZ).date()
    ana = courier("ana", capacity=1)
    boss = factories.user(Role.DISPATCHER)
    (job,) = doa_jobs(1, today)
    route_edits.move(job, ana.id, today, boss)
    audit.record(
        "stock_delivered",
        entity="stock_unit",
        entity_id=None,
        actor=boss,
        case_id=job.case_id,
        from_status="reserved",
        to_status="delivered",
    )
    job.status = JobStatus.IN_PROGRESS
    audit.record(
        "job_in_progress",
        entity="job",
        entity_id=job.id,
        actor=ana,
        case_id=job.case_id,
        from_status="planned",
        to_status="in_progress",
    )
    db.session.commit()
    number = job.case.case_number
    login(boss.username)
    board_html = client.get(f"/dispatch/?day={today.isoformat()}").get_data(as_text=True)
    assert "<strong>1 parada</strong> en ruta" in board_html
    assert "1 parada ·" in board_html and "1 paradas" not in board_html
    assert "Auto · 1 equipo ·" in board_html
    assert "↑" not in re.sub(r'aria-label="[^"]*"|>↑<|>↓<', "", board_html)
    assert "Entrega 1 equipo · recoge 1 equipo" in board_html
    history = client.get(f"/cases/{number}").get_data(as_text=True).split("<h2>Historial</h2>")[1]
    for raw in ("in_progress", "planned", "stock_delivered", "reserved", "delivered →"):
        assert raw not in history, raw
    assert "En ruta → En curso" in history and "Stock: entregado al cliente" in history
    assert "Reservado → Entregado" in history


def test_board_and_dashboard_agree_on_an_overdue_return(app, client, login):
    """A provinces return whose deadline passed is "Vencido" on the board and the dashboard;
    once dispatched (late) it is "Incumplido" on the board and no longer overdue anywhere."""
    from datetime import datetime, timedelta

    from fieldapp.domain.case_flow import Event
    from fieldapp.domain.deadlines import LIMA_TZ
    from fieldapp.models.types import utcnow
    from fieldapp.services.cases import visits
    from fieldapp.services.cases.progress import apply_event
    from fieldapp.services.dispatch import publishing, route_edits

    today = datetime.now(LIMA_TZ).date()
    boss = factories.user(Role.DISPATCHER)
    ana = courier("ana")
    week_ago = utcnow() - timedelta(days=7)
    case = factories.case(customer={"ubigeo": "130101"}, received_at=week_ago)
    visits.open_job(case).status = JobStatus.DONE  # picked up by a courier
    for event in (Event.PICK_UP, Event.RECEIVE_UNIT, Event.REPAIR):
        apply_event(case, event, boss, at=week_ago + timedelta(hours=1))
    db.session.commit()
    number = case.case_number
    login(factories.user(Role.ADMIN).username)  # sees the board and the dashboard

    def board_status() -> str:
        html = client.get(f"/dispatch/?day={today.isoformat()}").get_data(as_text=True)
        item = re.search(
            rf'<li class="(?:card job|stop)[^>]*>(?:(?!</li>).)*?{number}.*?</li>', html, re.S
        )
        return re.search(r'data-deadline-status="(\w+)"', item[0])[1]

    def dashboard_overdue() -> bool:
        html = client.get("/supervisor/dashboard").get_data(as_text=True)
        overdue = re.findall(r'<li class="card case overdue"[^>]*>.*?</li>', html, re.S)
        return any(number in item for item in overdue)

    assert board_status() == "overdue" and dashboard_overdue()
    route_edits.move(visits.open_job(case), ana.id, today, boss)
    publishing.publish(today, boss)
    db.session.commit()
    assert board_status() == "missed" and not dashboard_overdue()
