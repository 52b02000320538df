"""Multi-day trips for hub couriers."""

from __future__ import annotations

import pytest

from fieldapp.domain.geo import ST_COUNTER, Gazetteer, Zone
from fieldapp.domain.routing import Courier, Depot, JobRequest, Problem, TravelModel
from fieldapp.domain.trips import check_trip, plan_trips

GAZ = Gazetteer.default()
AREQUIPA = GAZ.require("040101")
HUB = Depot("hub-arequipa", AREQUIPA.lat, AREQUIPA.lon, Zone.PROVINCES)
LIMA = Depot("st", *ST_COUNTER, Zone.LIMA)
SHIFT = (8 * 60, 18 * 60)
TRAVEL = TravelModel()


def job(job_id: str, ubigeo: str, *, required=True, window=None, units=(1, 1)) -> JobRequest:
    place = GAZ.require(ubigeo)
    return JobRequest(
        id=job_id,
        lat=place.lat,
        lon=place.lon,
        zone=Zone.LIMA if ubigeo.startswith("1501") else Zone.PROVINCES,
        service_min=20,
        delivery=units[0],
        pickup=units[1],
        window=window,
        required=required,
        prize=0 if required else 20_000,
    )


def hub(capacity: int = 6) -> Courier:
    return Courier("arequipa", HUB, *SHIFT, capacity)


def test_cusco_from_arequipa_is_a_two_day_trip_with_a_night_away():
    cusco = job("cusco", "080101")
    found = plan_trips([hub()], [cusco], {"cusco": 1}, TRAVEL, seconds=0.3)
    assert found.unplanned == ()
    (trip,) = found.trips
    assert trip.courier_id == "arequipa" and trip.days == 2
    assert [s.job_id for s in trip.stops] == ["cusco"] and trip.stops[0].day == 0
    assert trip.overnights == ("cusco",)  # the day's work ends there: the night is spent there
    assert trip.distance_m > 2 * 300_000


def test_a_far_job_due_today_in_the_morning_cannot_be_a_trip():
    cusco = job("cusco", "080101", window=(9 * 60, 13 * 60))
    found = plan_trips([hub()], [cusco], {"cusco": 0}, TRAVEL, seconds=0.3)
    assert found.trips == () and found.unplanned == ("cusco",)


def test_the_replay_refuses_a_late_stop_and_an_overload():
    far = [job("cusco", "080101"), job("ayacucho", "050101")]
    problem = Problem.build([hub()], far, TRAVEL)
    assert check_trip(problem, hub(), ["cusco"], {"cusco": 1, "ayacucho": 2}, 3) is not None
    # Ayacucho after Cusco falls on the second day: too late when it is due on the first.
    order = ["cusco", "ayacucho"]
    assert check_trip(problem, hub(), order, {"cusco": 1, "ayacucho": 1}, 3).stops[1].day == 1
    assert check_trip(problem, hub(), order, {"cusco": 1, "ayacucho": 0}, 3) is None
    assert check_trip(problem, hub(), order, {"cusco": 1, "ayacucho": 1}, 1) is None
    small = Courier("arequipa", HUB, *SHIFT, 1)
    assert check_trip(problem, small, order, {"cusco": 2, "ayacucho": 2}, 3) is None


@pytest.mark.parametrize("bad", [[], "no-due"])
def test_inputs_are_checked(bad):
    if bad == []:
        with pytest.raises(ValueError, match="at least one courier"):
            plan_trips([], [job("cusco", "080101")], {"cusco": 1})
    else:
        with pytest.raises(ValueError, match="without a due day"):
            plan_trips([hub()], [job("cusco", "080101")], {})
