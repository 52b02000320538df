"""The unit reserved for a DOA swap stop, seen and set on the dispatch board; publishing a swap
without one warns."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.domain.stock import StockStatus
from fieldapp.extensions import db
from fieldapp.models import StockUnit
from tests.factories import stock_unit
from tests.views.test_dispatch_pages import (  # noqa: F401  (fixtures)
    HX,
    _optimise,
    _post,
    board,
    day,
)


def test_the_board_reserves_and_releases_the_unit_of_a_swap(client, board, day):  # noqa: F811
    unit = stock_unit("C111222")
    job = board[0]
    page = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    assert f'id="reservation-{job.id}"' in page and "Sin equipo nuevo reservado" in page
    answer = _post(
        client, f"/dispatch/{day.isoformat()}/jobs/{job.id}/reserve", {"unit_id": unit.id}, HX
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Equipo nuevo: <strong>C111222</strong>" in html
    assert f"Equipo nuevo C111222 reservado para {job.case.case_number}" in html
    reserved = db.session.scalar(select(StockUnit).where(StockUnit.service_number == "C111222"))
    assert reserved.status is StockStatus.RESERVED and reserved.reserved_for_job_id == job.id

    answer = _post(client, f"/dispatch/{day.isoformat()}/jobs/{job.id}/release", headers=HX)
    assert answer.status_code == 200 and "Reserva liberada" in answer.get_data(as_text=True)


def test_reserving_a_unit_already_taken_says_so(client, board, day):  # noqa: F811
    unit = stock_unit("C333444")
    first, second = board[0], board[1]
    _post(client, f"/dispatch/{day.isoformat()}/jobs/{first.id}/reserve", {"unit_id": unit.id}, HX)
    answer = _post(
        client, f"/dispatch/{day.isoformat()}/jobs/{second.id}/reserve", {"unit_id": unit.id}, HX
    )
    assert answer.status_code == 422
    assert "El equipo C333444 ya no está disponible" in answer.get_data(as_text=True)


def test_publishing_a_swap_without_a_unit_warns(client, board, day, background):  # noqa: F811
    _optimise(client, day, background)
    html = _post(client, f"/dispatch/{day.isoformat()}/publish", headers=HX).get_data(as_text=True)
    assert "Rutas publicadas" in html
    for job in board:
        assert f"Atención: {job.case.case_number} (cambio DOA) se publicó sin equipo nuevo" in html
