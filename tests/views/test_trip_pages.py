"""The board offers trips for far jobs, plans them, and shows the trip with each stop's day."""

from __future__ import annotations

from tests.conftest import csrf_token
from tests.services.test_trips import day, people, pickup_in  # noqa: F401 (fixtures)


def test_the_board_plans_a_trip_and_shows_its_days(client, login, people, day):  # noqa: F811
    _lima, _hub, dispatcher = people
    login(dispatcher.username)
    cusco = pickup_in("080101")
    board = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    assert "Planificar viajes (hubs)" in board
    answer = client.post(
        f"/dispatch/{day.isoformat()}/trips", data={"csrf_token": csrf_token(client, "/dispatch/")}
    )
    assert answer.status_code == 303
    board = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Viaje de " in board and "Lucía Condori" in board
    assert "De viaje · " in board
    assert f"Día {cusco.trip_day + 1} · " in board
    again = client.post(
        f"/dispatch/{day.isoformat()}/trips", data={"csrf_token": csrf_token(client, "/dispatch/")}
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "No hay trabajos fuera del alcance de un turno por carretera." in page


def test_a_bad_day_is_refused(client, login, people):  # noqa: F811
    login(people[2].username)
    answer = client.post(
        "/dispatch/2026-13-40/trips", data={"csrf_token": csrf_token(client, "/dispatch/")}
    )
    assert answer.status_code == 400
