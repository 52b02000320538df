"""Multi-day trips in the app: a free hub courier is sent to the jobs no shift reaches, the
trip is one route with each stop's day, and the courier is away for the optimiser meanwhile."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fieldapp.domain.deadlines import LIMA_TZ, end_of_day
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Route, RunStatus
from fieldapp.services.cases import visits
from fieldapp.services.dispatch import (
    board,
    errors,
    optimisation_runs,
    publishing,
    route_edits,
    trip_planning,
)
from fieldapp.worker.jobs import optimise
from tests import factories
from tests.services.test_dispatch import doa_jobs

AREQUIPA = Gazetteer.default().require("040101")


@pytest.fixture
def day():
    return datetime.now(LIMA_TZ).date()


@pytest.fixture
def people(app):
    app.config["ROUTING_SECONDS"] = 0.5
    lima = factories.user(Role.COURIER, username="lima", full_name="Carlos Lima")
    factories.courier_profile(lima)
    hub = factories.user(Role.COURIER, username="hub", full_name="Lucía Condori")
    factories.courier_profile(hub, base=(AREQUIPA.lat, AREQUIPA.lon))
    return lima, hub, factories.user(Role.DISPATCHER)


def pickup_in(ubigeo: str):
    case = factories.case(customer={"ubigeo": ubigeo, "address": "Av. El Sol 100"})
    return visits.open_job(case)


def test_cusco_becomes_a_trip_of_the_hub_courier_and_iquitos_is_left_to_carriers(people, day):
    _lima, hub, dispatcher = people
    cusco, iquitos = pickup_in("080101"), pickup_in("160101")
    result = trip_planning.plan(day, dispatcher)
    db.session.commit()
    (route,) = result.routes
    assert route.courier_id == hub.id and route.day == day and route.days >= 2
    assert [job.id for job in route.jobs] == [cusco.id]
    assert cusco.status is JobStatus.PLANNED and cusco.trip_day in (0, 1)
    assert cusco.eta.astimezone(LIMA_TZ).date() == day + timedelta(days=cusco.trip_day)
    assert cusco.eta <= cusco.due_at
    assert iquitos.route_id is None and iquitos.status is JobStatus.PENDING  # no road
    assert result.left == []


def test_the_courier_is_away_for_the_whole_trip_and_the_optimiser_leaves_it(people, day):
    lima, hub, dispatcher = people
    cusco = pickup_in("080101")
    route = trip_planning.plan(day, dispatcher).routes[0]
    db.session.commit()
    for offset in range(route.days):
        state = board.of_day(day + timedelta(days=offset))
        mine = next(c for c in state.couriers if c.user.id == hub.id)
        assert mine.away and not mine.available
    after = board.of_day(day + timedelta(days=route.days))
    assert next(c for c in after.couriers if c.user.id == hub.id).away is False
    factories.case(customer={"ubigeo": "150122"}, purchase_date=factories.days_ago(3))
    optimise(day, dispatcher, seconds=0.5)
    db.session.commit()
    db.session.refresh(cusco)
    assert cusco.route_id == route.id and cusco.trip_day is not None


def test_without_far_jobs_or_a_free_hub_courier_it_says_why(people, day):
    _lima, _hub, dispatcher = people
    with pytest.raises(errors.DispatchError, match="fuera del alcance de un turno"):
        trip_planning.plan(day, dispatcher)
    pickup_in("080101")
    trip_planning.plan(day, dispatcher)
    pickup_in("050101")  # Ayacucho, found later: the hub courier has left already
    with pytest.raises(errors.DispatchError, match="Ningún courier de hub está libre"):
        trip_planning.plan(day, dispatcher)


@pytest.fixture
def working_day():
    """A working day ahead: its whole shift is still to come at any hour the suite runs."""
    return factories.next_working_day()


def test_one_optimise_run_plans_the_day_routes_and_a_trip(people, working_day, background):
    lima, hub, dispatcher = people
    (near,) = doa_jobs(1, working_day)  # a Lima DOA swap due that day: the Lima courier's
    cusco, iquitos = pickup_in("080101"), pickup_in("160101")
    run = optimisation_runs.request_run(working_day, dispatcher)
    background.drain()
    run = optimisation_runs.get(run.id)
    assert run.status is RunStatus.APPLIED
    assert run.message == "Plan optimizado: 1 parada, " + run.message.split(", ", 1)[1]
    assert "A viajes de hubs: 1 parada en 1 viaje." in run.message
    day_route, trip = db.session.get(Route, near.route_id), db.session.get(Route, cusco.route_id)
    assert day_route.courier_id == lima.id and day_route.days == 1
    assert trip.courier_id == hub.id and trip.day == working_day and trip.days >= 2
    assert cusco.status is JobStatus.PLANNED and cusco.trip_day is not None
    # Iquitos has no road: it stays to plan, suggested for a carrier, with why
    assert iquitos.route_id is None and iquitos.status is JobStatus.PENDING
    state = board.of_day(working_day)
    assert [job.id for job in state.to_plan] == [iquitos.id]
    assert cusco.id not in state.unplanned and iquitos.id in state.unplanned


def test_a_trip_that_cannot_be_made_leaves_the_day_plan_and_says_why(
    people, working_day, background
):
    lima, hub, dispatcher = people
    route_edits.set_available(hub, working_day, False, dispatcher)
    (near,), cusco = doa_jobs(1, working_day), pickup_in("080101")
    run = optimisation_runs.request_run(working_day, dispatcher)
    background.drain()
    run = optimisation_runs.get(run.id)
    assert run.status is RunStatus.APPLIED
    assert run.message.startswith("Plan optimizado: 1 parada, ")
    assert f"Viajes no planificados: {trip_planning.NO_FREE_HUB}" in run.message
    assert near.status is JobStatus.PLANNED
    assert db.session.get(Route, near.route_id).courier_id == lima.id
    assert cusco.route_id is None and cusco.status is JobStatus.PENDING
    reason = board.of_day(working_day).unplanned[cusco.id]
    assert reason.startswith("Demasiado lejos para la duración del turno") and reason.endswith(
        trip_planning.NO_FREE_HUB
    )


def test_a_hub_courier_with_a_day_route_leaves_on_a_trip_that_keeps_its_stops(
    people, working_day, background
):
    _lima, hub, dispatcher = people
    local = pickup_in("040101")  # Arequipa: the hub courier's own day
    local.due_at = end_of_day(working_day)
    cusco = pickup_in("080101")
    run = optimisation_runs.request_run(working_day, dispatcher)
    background.drain()
    run = optimisation_runs.get(run.id)
    assert run.status is RunStatus.APPLIED and "A viajes de hubs: 2 paradas en 1 viaje." in (
        run.message
    )
    trip = db.session.get(Route, cusco.route_id)
    assert trip.courier_id == hub.id and trip.days >= 2
    assert {job.id for job in trip.jobs} == {local.id, cusco.id}  # the day's stop goes along
    assert local.eta <= local.due_at and cusco.eta <= cusco.due_at
    assert board.of_day(working_day).to_plan == []


def test_a_published_day_route_keeps_its_hub_courier_home(people, working_day, background):
    _lima, hub, dispatcher = people
    local = pickup_in("040101")
    local.due_at = end_of_day(working_day)
    optimise(working_day, dispatcher, seconds=0.5)
    publishing.publish(working_day, dispatcher)
    cusco = pickup_in("080101")
    run = optimisation_runs.request_run(working_day, dispatcher)
    background.drain()
    run = optimisation_runs.get(run.id)
    assert run.status is RunStatus.APPLIED
    assert f"Viajes no planificados: {trip_planning.NO_FREE_HUB}" in run.message
    assert db.session.get(Route, local.route_id).days == 1 and cusco.route_id is None


def test_an_error_while_planning_trips_leaves_the_day_plan_applied(
    people, working_day, monkeypatch
):
    _lima, _hub, dispatcher = people
    (near,), cusco = doa_jobs(1, working_day), pickup_in("080101")

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(trip_planning, "solve", broken)
    result = optimise(working_day, dispatcher, seconds=0.5)
    assert result.trips.failure == "error interno al planificar viajes (ver registros)."
    assert near.status is JobStatus.PLANNED and cusco.route_id is None
    assert board.of_day(working_day).unplanned[cusco.id].endswith(result.trips.failure)
