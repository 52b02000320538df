"""One press of Optimizar plans the far jobs as trips too; the board shows the trip with each
stop's day, and there is no separate trips button any more."""

from __future__ import annotations

from tests.conftest import csrf_token
from tests.services.test_trips import people, pickup_in, working_day  # noqa: F401 (fixtures)
from tests.views.test_dispatch_pages import _optimise


def test_optimise_plans_a_trip_and_the_board_shows_its_days(
    client,
    login,
    people,  # noqa: F811
    working_day,  # noqa: F811
    background,
):
    _lima, _hub, dispatcher = people
    login(dispatcher.username)
    cusco = pickup_in("080101")
    board = client.get(f"/dispatch/?day={working_day.isoformat()}").get_data(as_text=True)
    assert "Planificar viajes (hubs)" not in board and "Optimizar" in board
    html = _optimise(client, working_day, background).get_data(as_text=True)
    assert "A viajes de hubs: 1 parada en 1 viaje." in html
    assert "Lucía Condori" in html and "De viaje · " in html
    assert f"Día {cusco.trip_day + 1} · " in html
    assert "Por planificar (0)" in html


def test_the_trips_route_is_gone(client, login, people, working_day):  # noqa: F811
    login(people[2].username)
    answer = client.post(
        f"/dispatch/{working_day.isoformat()}/trips",
        data={"csrf_token": csrf_token(client, "/dispatch/")},
    )
    assert answer.status_code == 404
