"""How a day's jobs are served by mode (courier day route, trip, carrier)."""

from __future__ import annotations

from fieldapp.domain.modes import plan_modes
from fieldapp.domain.routing import Courier
from tests.domain.test_trips import LIMA, SHIFT, TRAVEL, hub, job


def test_every_required_job_gets_a_mode():
    couriers = [Courier("lima", LIMA, *SHIFT, 6), hub()]
    jobs = [
        job("miraflores", "150122"),
        job("arequipa", "040101"),
        job("cusco", "080101", required=False),  # due in two days: no nearer then
        job("iquitos", "160101"),  # no road
    ]
    due = {"miraflores": 0, "arequipa": 0, "cusco": 2, "iquitos": 0}
    result = plan_modes(
        couriers,
        jobs,
        due,
        TRAVEL,
        hubs={"arequipa"},
        by_road=lambda j: j.id != "iquitos",
        seconds=0.5,
        trip_seconds=0.3,
    )
    modes = {j.id: result.mode_of(j.id) for j in jobs}
    assert modes == {
        "miraflores": "courier",
        "arequipa": "trip",  # the hub courier's own stop, done before setting off
        "cusco": "trip",
        "iquitos": "carrier",
    }
    (trip,) = result.trips
    assert trip.job_ids[0] == "arequipa" and trip.days >= 2
