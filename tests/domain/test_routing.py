"""Route planning: travel model, optimiser rules (required, locked, capacity, windows), reasons."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from geopy.distance import geodesic

from fieldapp.domain import routing
from fieldapp.domain.geo import ST_COUNTER, Gazetteer, Zone, zone_for
from fieldapp.domain.jobs import LOAD, JobKind
from fieldapp.domain.routing import (
    Courier,
    Depot,
    JobRequest,
    Plan,
    Point,
    Problem,
    RoutePlan,
    Slot,
    TravelModel,
    UnplannedReason,
    nearest_neighbour,
    plan,
    priority,
    problem_points,
    replay,
    schedule,
    service_minutes,
    slot_window,
    solve,
)

SECONDS = 0.4
BASE = Depot("st", *ST_COUNTER)
TRUJILLO_HUB = Depot("trujillo", -8.1, -79.03055556, Zone.PROVINCES)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def district_point(gaz: Gazetteer, ubigeo: str) -> Point:
    district = gaz.require(ubigeo)
    return Point(district.lat, district.lon, zone_for(ubigeo))


def job_at(job_id, point: Point, **fields) -> JobRequest:
    fields.setdefault("service_min", 15.0)
    return JobRequest(job_id, point.lat, point.lon, point.zone, **fields)


def courier(courier_id, depot: Depot = BASE, start=8 * 60, end=18 * 60, capacity=10) -> Courier:
    return Courier(courier_id, depot, start, end, capacity)


def lima_day(seed: int, n_jobs: int, n_couriers: int, capacity: int = 6) -> Problem:
    """A random Lima day: jobs in metropolitan districts, mixed kinds, slots and priorities."""
    rng = random.Random(seed)
    gaz = Gazetteer.default()
    districts = [d for p in ("1501", "0701") for d in gaz.districts(p)]
    districts = [d for d in districts if abs(d.lat - ST_COUNTER[0]) < 0.25]  # metro area
    jobs = []
    for i in range(n_jobs):
        d = rng.choice(districts)
        kind = rng.choice(list(JobKind))
        delivery, pickup = LOAD[kind]
        slot = rng.choice([Slot.ANY, Slot.MORNING, Slot.AFTERNOON])
        required, prize = priority(rng.choice([0, 0, 1, 2, 3]))
        jobs.append(
            JobRequest(
                f"j{i}",
                d.lat + rng.uniform(-0.01, 0.01),
                d.lon + rng.uniform(-0.01, 0.01),
                Zone.LIMA,
                service_minutes(kind),
                delivery,
                pickup,
                slot_window(slot),
                required,
                prize,
            )
        )
    couriers = [courier(f"c{i}", capacity=capacity) for i in range(n_couriers)]
    return Problem.build(couriers, jobs)


def assert_sound(result: Plan, problem: Problem) -> None:
    """Every route replays without a broken rule, with the times and loads the plan shows."""
    seen = []
    for route in result.routes:
        checked = replay(route, problem)
        assert checked.violations == ()
        assert checked.route == route
        seen += route.job_ids
    assert len(seen) == len(set(seen))
    assert set(seen) | {u.job_id for u in result.unplanned} == {j.id for j in problem.jobs}
    assert not set(seen) & {u.job_id for u in result.unplanned}


# --- travel model --------------------------------------------------------------------------


def test_san_isidro_to_miraflores(gaz) -> None:
    miraflores = district_point(gaz, "150122")
    metres, minutes = TravelModel().leg(Point(*ST_COUNTER), miraflores)
    assert metres == pytest.approx(geodesic(ST_COUNTER, (miraflores.lat, miraflores.lon)).m * 1.3)
    # 2.77 km geodesic × 1.3 urban circuity at 22 km/h
    assert metres == pytest.approx(3599.5, abs=1)
    assert minutes == pytest.approx(9.82, abs=0.01)


def test_lima_to_trujillo_uses_highway_values(gaz) -> None:
    lima, trujillo = district_point(gaz, "150101"), district_point(gaz, "130101")
    metres, minutes = TravelModel().leg(lima, trujillo)
    # 488.3 km geodesic × 1.25 highway circuity at 55 km/h: 610 km, 11.1 h
    assert metres == pytest.approx(610_400, rel=1e-4)
    assert minutes == pytest.approx(665.9, abs=0.1)


def test_travel_model_settings_change_the_figures(gaz) -> None:
    model = TravelModel({Zone.LIMA: 1.5, Zone.PROVINCES: 1.2}, {Zone.LIMA: 30, Zone.PROVINCES: 60})
    metres, minutes = model.leg(Point(*ST_COUNTER), district_point(gaz, "150122"))
    assert metres == pytest.approx(3599.5 / 1.3 * 1.5, abs=1)
    assert minutes == pytest.approx(metres / 1000 / 30 * 60)


def test_matrices_are_symmetric_with_zero_diagonal(gaz) -> None:
    points = [district_point(gaz, u) for u in ("150122", "150101", "130101")]
    distance, duration = TravelModel().matrices(points)
    assert [distance[i][i] for i in range(3)] == [0.0, 0.0, 0.0]
    assert distance[0][2] == distance[2][0] > distance[0][1] > 0
    assert duration[1][2] == pytest.approx(TravelModel().leg(points[1], points[2])[1])


def test_slots_service_times_and_priority() -> None:
    assert slot_window(Slot.MORNING) == (540, 780)
    assert slot_window(Slot.AFTERNOON) == (840, 1080)
    assert slot_window(Slot.EXACT, at_min=630) == (615, 645)
    assert slot_window(Slot.ANY) is None
    with pytest.raises(ValueError, match="hora acordada"):
        slot_window(Slot.EXACT)
    assert service_minutes(JobKind.DOA_SWAP) == 20
    assert service_minutes(JobKind.DOA_SWAP, {JobKind.DOA_SWAP: 30}) == 30
    assert priority(-2) == (True, 0)
    assert priority(0) == (True, 0)
    assert priority(1) == (False, 12_000)
    assert priority(2)[1] < priority(1)[1]
    assert priority(9) == priority(3)


def test_problem_points_and_validation(gaz) -> None:
    hub_courier = courier("t1", TRUJILLO_HUB)
    couriers = [courier("a"), courier("b"), hub_courier]
    jobs = [job_at("x", district_point(gaz, "150122"))]
    assert problem_points(couriers, jobs) == [BASE.point, TRUJILLO_HUB.point, jobs[0].point]
    problem = Problem.build(couriers, jobs)
    assert problem.depot_index("trujillo") == 1 and problem.job_index(0) == 2
    with pytest.raises(ValueError, match="3×3"):
        Problem(couriers, jobs, [[0.0]], [[0.0]])
    with pytest.raises(ValueError, match="repetidos"):
        Problem.build(couriers, jobs * 2)
    with pytest.raises(ValueError, match="courier zz"):
        Problem.build(couriers, [job_at("y", BASE.point, locked_courier_id="zz")])
    with pytest.raises(ValueError, match="termina antes"):
        Problem.build(couriers, [job_at("y", BASE.point, window=(600, 500))])


# --- replay: the independent checker --------------------------------------------------------


def test_replay_detects_each_broken_rule(gaz) -> None:
    here = district_point(gaz, "150131")  # San Isidro, minutes from the base
    jobs = [
        job_at("a", here, delivery=2, window=(480, 490)),
        job_at("b", here, pickup=2),
        job_at("c", here, locked_courier_id="k", locked_position=1),
        job_at("d", here, locked_courier_id="k", locked_position=2),
    ]
    problem = Problem.build([courier("k", capacity=3, end=8 * 60 + 55)], jobs)
    checked = schedule(problem, "k", ["b", "d", "a", "c"])
    text = " | ".join(checked.violations)
    assert "lleva 4 equipos" in text  # 2 picked up, 2 still to deliver
    assert "fuera del horario 08:00–08:10" in text
    assert "después del fin de turno (08:55)" in text
    assert "orden fijado" in text
    fine = schedule(problem, "k", ["a", "c", "d"])
    assert fine.violations == ()


def test_replay_times_leave_as_late_as_the_first_window_allows(gaz) -> None:
    point = district_point(gaz, "150122")
    problem = Problem.build([courier("k")], [job_at("a", point, window=(600, 660))])
    route = schedule(problem, "k", ["a"]).route
    travel = problem.duration_min[0][1]
    assert route.start_min == pytest.approx(600 - travel)
    assert route.stops[0].arrival_min == pytest.approx(600)
    assert route.stops[0].departure_min == pytest.approx(615)
    assert route.end_min == pytest.approx(615 + travel)
    assert route.distance_m == pytest.approx(2 * problem.distance_m[0][1])


# --- optimiser -----------------------------------------------------------------------------


def test_routes_respect_capacity_and_windows() -> None:
    problem = lima_day(seed=3, n_jobs=40, n_couriers=3, capacity=5)
    result = solve(problem, seconds=SECONDS, seed=1)
    assert_sound(result, problem)
    assert result.routes
    required = {j.id for j in problem.jobs if j.required}
    missing = {u.job_id: u.reason for u in result.unplanned if u.job_id in required}
    assert all(reason is not UnplannedReason.POSTPONED for reason in missing.values())


def test_optimiser_beats_nearest_neighbour() -> None:
    problem = lima_day(seed=5, n_jobs=30, n_couriers=3, capacity=8)
    baseline = nearest_neighbour(problem)
    assert_sound(baseline, problem)
    best = solve(problem, seconds=30, seed=1, max_iterations=1500)  # the same on any machine
    required = {j.id for j in problem.jobs if j.required}
    assert required & baseline.planned_ids <= best.planned_ids
    assert best.distance_m - sum(
        j.prize for j in problem.jobs if j.id in best.planned_ids
    ) < baseline.distance_m - sum(j.prize for j in problem.jobs if j.id in baseline.planned_ids)


def test_required_job_is_never_dropped_when_feasible(gaz) -> None:
    near = district_point(gaz, "150131")  # San Isidro
    far = district_point(gaz, "150119")  # Lurín, ~30 km
    optional = [job_at(f"o{i}", near, delivery=1, required=False, prize=900_000) for i in range(4)]
    must = job_at("must", far, delivery=1)
    problem = Problem.build([courier("k", capacity=3)], [*optional, must])
    result = solve(problem, seconds=SECONDS)
    assert_sound(result, problem)
    assert "must" in result.planned_ids
    assert len(result.planned_ids) == 3  # capacity 3: two optional jobs give way
    assert {u.reason for u in result.unplanned} == {UnplannedReason.POSTPONED}


def test_locked_stops_keep_courier_and_order() -> None:
    problem = lima_day(seed=11, n_jobs=30, n_couriers=3, capacity=8)
    first = solve(problem, seconds=SECONDS, seed=1)
    donor = max(first.routes, key=lambda r: len(r.stops))
    target = next(c.id for c in problem.couriers if c.id != donor.courier_id)
    # Lock four of the donor's stops to another courier, in reverse order, plus one loose lock.
    chain = donor.job_ids[:4][::-1]
    loose = donor.job_ids[4] if len(donor.job_ids) > 4 else None
    locks = {job_id: (target, position) for position, job_id in enumerate(chain)}
    if loose:
        locks[loose] = (target, None)
    jobs = [
        replace(j, locked_courier_id=locks[j.id][0], locked_position=locks[j.id][1])
        if j.id in locks
        else j
        for j in problem.jobs
    ]
    locked = Problem(problem.couriers, jobs, problem.distance_m, problem.duration_min)
    again = solve(locked, seconds=SECONDS, seed=2)
    assert_sound(again, locked)
    route = again.route_of(target)
    assert route is not None
    assert set(locks) <= set(route.job_ids)
    in_route = [job_id for job_id in route.job_ids if job_id in chain]
    assert in_route == chain
    for other in again.routes:
        if other.courier_id != target:
            assert not set(locks) & set(other.job_ids)


def test_locked_stops_in_nearest_neighbour_open_the_route(gaz) -> None:
    points = [district_point(gaz, u) for u in ("150122", "150131", "150101")]
    jobs = [
        job_at("a", points[0], locked_courier_id="k2", locked_position=2),
        job_at("b", points[1], locked_courier_id="k2", locked_position=1),
        job_at("c", points[2]),
    ]
    problem = Problem.build([courier("k1"), courier("k2")], jobs)
    result = nearest_neighbour(problem)
    assert_sound(result, problem)
    assert result.route_of("k2").job_ids[:2] == ["b", "a"]


def test_unplanned_reasons(gaz) -> None:
    san_isidro = district_point(gaz, "150131")
    cusco = district_point(gaz, "080101")
    jobs = [
        job_at("late", san_isidro, window=(20 * 60, 21 * 60)),  # after every shift
        job_at("heavy", san_isidro, pickup=12),  # bigger than any vehicle
        job_at("far", cusco),  # 13 h each way from Lima, more from Trujillo
        job_at("ok", san_isidro),
        job_at("later", cusco, required=False, prize=1000),
    ]
    couriers = [courier("lima", capacity=10), courier("north", TRUJILLO_HUB, capacity=8)]
    problem = Problem.build(couriers, jobs)
    result = solve(problem, seconds=SECONDS)
    assert_sound(result, problem)
    reasons = {u.job_id: u for u in result.unplanned}
    assert result.planned_ids == {"ok"}
    assert reasons["late"].reason is UnplannedReason.TIME_WINDOW
    assert reasons["late"].detail == "El horario 20:00–21:00 no se alcanza dentro de ningún turno."
    assert reasons["heavy"].reason is UnplannedReason.CAPACITY
    assert reasons["heavy"].detail == "Lleva 12 equipos; el vehículo más grande admite 10."
    assert reasons["far"].reason is UnplannedReason.SHIFT_LENGTH
    assert "el turno más largo dura 10.0 h" in reasons["far"].detail
    assert reasons["far"].label == "Demasiado lejos para la duración del turno"
    assert reasons["later"].reason is UnplannedReason.SHIFT_LENGTH


def test_window_only_reachable_by_the_wrong_courier_is_a_window_problem(gaz) -> None:
    # The morning courier could, but the job is locked to the afternoon courier.
    job = job_at("x", district_point(gaz, "150131"), window=(540, 600), locked_courier_id="pm")
    couriers = [courier("am", start=480, end=780), courier("pm", start=780, end=1200)]
    result = solve(Problem.build(couriers, [job]), seconds=SECONDS)
    assert [u.reason for u in result.unplanned] == [UnplannedReason.TIME_WINDOW]


def test_required_jobs_that_do_not_fit_together_are_no_room(gaz) -> None:
    # Each fits alone, but both need 11:30 sharp at opposite ends of Lima with one courier.
    north = district_point(gaz, "150102")  # Ancón
    south = district_point(gaz, "150119")  # Lurín
    jobs = [
        job_at("n", north, window=(690, 700)),
        job_at("s", south, window=(690, 700)),
        job_at("extra", district_point(gaz, "150131")),
    ]
    problem = Problem.build([courier("k")], jobs)
    result = solve(problem, seconds=SECONDS)
    assert_sound(result, problem)
    assert len(result.planned_ids & {"n", "s"}) == 1
    assert "extra" in result.planned_ids
    [missing] = result.unplanned
    assert missing.reason is UnplannedReason.NO_ROOM
    assert missing.label == "Sin capacidad de tiempo en las rutas"


def test_same_seed_same_plan() -> None:
    problem = lima_day(seed=7, n_jobs=35, n_couriers=3, capacity=6)
    first = solve(problem, seconds=30, seed=4, max_iterations=300)
    second = solve(problem, seconds=30, seed=4, max_iterations=300)
    assert first == second
    assert [r.job_ids for r in first.routes] == [r.job_ids for r in second.routes]


def test_plan_builds_matrices_within_the_budget(gaz) -> None:
    jobs = [job_at(f"j{i}", district_point(gaz, u)) for i, u in enumerate(("150122", "150101"))]
    result = plan([courier("k")], jobs, TravelModel(), seconds=SECONDS)
    assert result.planned_ids == {"j0", "j1"}
    route: RoutePlan = result.routes[0]
    assert route.courier_id == "k"
    assert route.distance_m > 0 and route.duration_min > 0
    same = plan(
        [courier("k")],
        jobs,
        matrices=TravelModel().matrices(problem_points([courier("k")], jobs)),
        seconds=SECONDS,
    )
    assert same.distance_m == pytest.approx(result.distance_m)


def test_a_route_that_breaks_rules_is_repaired_by_dropping_the_least_valuable_stops(gaz) -> None:
    here = district_point(gaz, "150131")
    jobs = [
        job_at("must", here, delivery=2),
        job_at("cheap", here, delivery=1, required=False, prize=1000),
        job_at("dear", here, delivery=1, required=False, prize=9000),
    ]
    problem = Problem.build([courier("k", capacity=3)], jobs)
    assert schedule(problem, "k", ["cheap", "must", "dear"]).violations
    fixed = routing._repair(problem, "k", ["cheap", "must", "dear"])
    assert fixed.violations == ()
    assert fixed.route.job_ids == ["must", "dear"]


def test_no_jobs_or_no_couriers(gaz) -> None:
    assert solve(Problem.build([courier("k")], []), seconds=SECONDS) == Plan((), ())
    only = job_at("a", district_point(gaz, "150131"))
    result = solve(Problem.build([], [only]), seconds=SECONDS)
    assert [u.reason for u in result.unplanned] == [UnplannedReason.NO_ROOM]
