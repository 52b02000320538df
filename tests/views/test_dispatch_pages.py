"""The dispatch page as page and as htmx fragment, its actions, and the public tracking page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Route
from tests import factories
from tests.conftest import csrf_token
from tests.services.test_dispatch import courier, doa_jobs

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


def test_board_as_page_and_as_fragment(client, board, day):
    page = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    assert "<html" in page and 'id="board"' in page
    assert "Por planificar (3)" in page
    assert board[0].case.case_number in page
    assert "<svg" in page and "Ana" in page
    fragment = client.get(f"/dispatch/?day={day.isoformat()}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="board"')


def test_optimise_returns_the_new_board(client, board, day):
    response = _post(client, f"/dispatch/{day.isoformat()}/optimise", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Plan optimizado: 3 paradas" in html
    assert "Por planificar (0)" in html
    assert len(re.findall(r'class="stop(?: locked)?"', html)) == 3
    assert {j.status for j in board} == {JobStatus.PLANNED}


def test_plain_form_post_redirects(client, board, day):
    response = _post(client, f"/dispatch/{day.isoformat()}/optimise")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/dispatch/?day={day.isoformat()}"
    assert "Plan optimizado" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_stale_edit_is_refused_with_a_message(client, board, day):
    _post(client, f"/dispatch/{day.isoformat()}/optimise", headers=HX)
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


def test_publish_then_track(client, board, day):
    _post(client, f"/dispatch/{day.isoformat()}/optimise", headers=HX)
    response = _post(client, f"/dispatch/{day.isoformat()}/publish", headers=HX)
    assert "Rutas publicadas a 1 courier(s)." in response.get_data(as_text=True)
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
