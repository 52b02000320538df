"""Dispatch: optimising a day, hand edits with version checks, publishing and tracking."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from fieldapp.domain import routing
from fieldapp.domain.case_flow import Status
from fieldapp.domain.deadlines import LIMA_TZ, end_of_day
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Job, OutboxMessage, Route
from fieldapp.services.cases import tracking, visits
from fieldapp.services.dispatch import board, errors, publishing, route_edits
from fieldapp.services.dispatch.problem import build_problem
from fieldapp.worker.jobs import optimise
from tests import factories
from tests.factories import courier_with_profile as courier

LIMA_DISTRICTS = ["150122", "150131", "150140", "150101", "150115", "150130"]


@pytest.fixture
def day():
    return factories.next_working_day()


@pytest.fixture
def dispatcher(app):
    app.config["ROUTING_SECONDS"] = 0.5
    return factories.user(Role.DISPATCHER)


def doa_jobs(n: int, day, districts=LIMA_DISTRICTS) -> list[Job]:
    """`n` DOA swap jobs in Lima, due on `day` (so they are required that day)."""
    made = []
    for k in range(n):
        case = factories.case(
            purchase_date=factories.days_ago(5), customer={"ubigeo": districts[k % len(districts)]}
        )
        job = visits.open_job(case)
        job.due_at = end_of_day(day)
        made.append(job)
    db.session.commit()
    return made


def replay_all(day):
    """Every stored route replayed by the routing domain: (route, violations)."""
    state = board.of_day(day)
    working = [(c.user, c.profile, c.route) for c in state.couriers if c.available]
    problem, _ = build_problem(day, working)
    return [
        (c.route, routing.schedule(problem, c.user.id, [j.id for j in c.route.jobs]))
        for c in state.couriers
        if c.route is not None and c.route.jobs
    ]


def test_optimise_plans_every_required_job_within_capacity_and_shift(dispatcher, day):
    courier("ana", capacity=3)
    courier("beto", capacity=3)
    made = doa_jobs(5, day)
    result = optimise(day, dispatcher)
    db.session.commit()
    assert result.unplanned == {}
    assert {j.status for j in made} == {JobStatus.PLANNED}
    for route, replayed in replay_all(day):
        assert replayed.violations == ()
        assert len(route.jobs) <= 3  # one unit out per DOA swap, capacity 3
        assert [j.sequence for j in route.jobs] == list(range(1, len(route.jobs) + 1))
        assert all(j.eta.astimezone(LIMA_TZ).date() == day for j in route.jobs)
        assert route.distance_km > 0 and route.duration_minutes > 0


def test_capacity_limits_what_one_courier_takes(dispatcher, day):
    courier("moto", capacity=2, vehicle="motorcycle")
    made = doa_jobs(3, day)
    result = optimise(day, dispatcher)
    planned = [j for j in made if j.status is JobStatus.PLANNED]
    assert len(planned) == 2
    (left,) = [j for j in made if j.status is JobStatus.PENDING]
    assert "Sin capacidad" in result.unplanned[left.id]


def test_a_job_too_far_for_any_shift_is_reported(dispatcher, day):
    courier("ana")
    (far,) = doa_jobs(1, day, districts=["160101"])  # Iquitos from Lima
    result = optimise(day, dispatcher)
    assert far.status is JobStatus.PENDING
    assert result.unplanned[far.id].startswith("Demasiado lejos para la duración del turno")


def test_locked_stops_keep_courier_and_order_when_reoptimising(dispatcher, day):
    ana, beto = courier("ana"), courier("beto")
    made = doa_jobs(6, day)
    optimise(day, dispatcher)
    route = db.session.scalar(select(Route).where(Route.courier_id == ana.id))
    first, last = route.jobs[0], route.jobs[-1]
    # Lock them in reverse order on beto's route, then optimise again.
    route_edits.move(last, beto.id, day, dispatcher)
    route_edits.move(first, beto.id, day, dispatcher)
    route_edits.toggle_lock(last, dispatcher)
    route_edits.toggle_lock(first, dispatcher)
    db.session.commit()
    optimise(day, dispatcher)
    db.session.commit()
    target = db.session.scalar(select(Route).where(Route.courier_id == beto.id))
    order = [j.id for j in target.jobs]
    assert last.id in order and first.id in order
    assert order.index(last.id) < order.index(first.id)
    assert {j.status for j in made} == {JobStatus.PLANNED}


def test_hand_edits_retime_the_route_and_refuse_a_stale_version(dispatcher, day):
    ana = courier("ana")
    made = doa_jobs(3, day)
    for job in made:
        route_edits.move(job, ana.id, day, dispatcher)
    db.session.commit()
    route = db.session.scalar(select(Route).where(Route.courier_id == ana.id))
    assert [j.id for j in route.jobs] == [j.id for j in made]
    version = route.version
    route_edits.reorder(made[2], -2, dispatcher, version)
    db.session.commit()
    assert [j.id for j in route.jobs] == [made[2].id, made[0].id, made[1].id]
    assert route.jobs[0].eta < route.jobs[1].eta < route.jobs[2].eta
    with pytest.raises(errors.StaleRoute, match="cambió mientras la editaba"):
        route_edits.remove(made[0], dispatcher, version)  # the page was loaded before the reorder
    route_edits.remove(made[0], dispatcher, route.version)
    db.session.commit()
    assert made[0].status is JobStatus.PENDING and made[0].route_id is None
    assert len(route.jobs) == 2


def test_a_courier_off_for_the_day_loses_their_unpublished_stops(dispatcher, day):
    ana = courier("ana")
    made = doa_jobs(2, day)
    optimise(day, dispatcher)
    route_edits.set_available(ana, day, False, dispatcher)
    assert {j.status for j in made} == {JobStatus.PENDING}
    with pytest.raises(errors.DispatchError, match="Ningún courier"):
        optimise(day, dispatcher)


def test_publish_schedules_cases_and_tells_customers_with_a_tracking_link(app, dispatcher, day):
    ana = courier("ana")
    made = doa_jobs(2, day)
    optimise(day, dispatcher)
    routes = publishing.publish(day, dispatcher)
    db.session.commit()
    assert [r.courier_id for r in routes] == [ana.id]
    for job in made:
        assert job.case.status is Status.SCHEDULED
        assert job.tracking_token and len(job.tracking_token) >= 40
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.notice == "visit_scheduled")
    ).all()
    assert {m.case_id for m in mail} == {j.case_id for j in made}
    body = mail[0].body_text
    assert "Nuestro courier le visitará el" in body and " entre las " in body
    assert f"{app.config['PUBLIC_URL']}/t/" in body

    seen = tracking.find(made[0].tracking_token)
    assert seen.first_name == "María" and seen.district
    assert seen.state in {"next", "waiting"}

    # Taken back: cases return to dispatch, the public page says it is being rescheduled.
    publishing.unpublish(day, dispatcher)
    assert {j.case.status for j in made} == {Status.RECEIVED}
    assert tracking.find(made[0].tracking_token).state == "cancelled"


def test_the_customer_is_told_the_route_s_day_whatever_board_the_window_was_agreed_on(app):
    """Route of Tue 1 Dec, published at 22:45 Lima on Mon 30 Nov (03:45 UTC on the 1st): the
    afternoon agreed while Thursday's board was open is Tuesday afternoon, not "jueves 3"."""
    tuesday = date(2026, 12, 1)
    with time_machine.travel(datetime(2026, 11, 30, 22, 45, tzinfo=LIMA_TZ), tick=False):
        app.config["ROUTING_SECONDS"] = 0.5
        dispatcher = factories.user(Role.DISPATCHER)
        courier("ana")
        job, other = doa_jobs(2, tuesday)
        route_edits.set_window(job, tuesday + timedelta(days=2), (14 * 60, 18 * 60), dispatcher)
        route_edits.set_window(other, tuesday - timedelta(days=1), (9 * 60, 13 * 60), dispatcher)
        db.session.commit()
        optimise(tuesday, dispatcher)
        publishing.publish(tuesday, dispatcher)
        db.session.commit()
    assert [j.eta.astimezone(LIMA_TZ).date() for j in (job, other)] == [tuesday, tuesday]
    assert 14 <= job.eta.astimezone(LIMA_TZ).hour <= 18
    assert 9 <= other.eta.astimezone(LIMA_TZ).hour <= 13
    bodies = {
        m.case_id: m.body_text
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.notice == "visit_scheduled")
        )
    }
    assert "el martes 1 de diciembre de 2026 entre las 14:00 y las 18:00" in bodies[job.case_id]
    assert "el martes 1 de diciembre de 2026 entre las 09:00 y las 13:00" in bodies[other.case_id]
    assert tracking.find(job.tracking_token).window[0] == datetime(
        2026, 12, 1, 14, 0, tzinfo=LIMA_TZ
    )


def test_a_change_after_publishing_is_flagged_for_the_courier(dispatcher, day):
    ana = courier("ana")
    made = doa_jobs(2, day)
    optimise(day, dispatcher)
    publishing.publish(day, dispatcher)
    route = db.session.scalar(select(Route).where(Route.courier_id == ana.id))
    assert route.changed_at is None
    route_edits.remove(made[0], dispatcher, route.version)
    assert route.changed_at is not None
    assert made[0].case.status is Status.RECEIVED  # back to dispatch


def test_a_change_during_the_solve_makes_the_optimisation_stale(dispatcher, day, monkeypatch):
    courier("ana")
    made = doa_jobs(2, day)
    target = made[0].id
    real_solve = routing.solve

    def solve_while_someone_edits(problem, *args, **kwargs):
        plan = real_solve(problem, *args, **kwargs)
        with db.engine.begin() as connection:  # another request changes a job meanwhile
            connection.execute(
                Job.__table__.update()
                .where(Job.id == target)
                .values(version=Job.__table__.c.version + 1)
            )
        return plan

    monkeypatch.setattr(routing, "solve", solve_while_someone_edits)
    with pytest.raises(errors.StaleRoute, match="mientras se optimizaba"):
        optimise(day, dispatcher)
    db.session.rollback()
    assert db.session.scalar(select(Route)) is None  # nothing written


def test_unplanned_reasons_are_kept_with_the_plan_until_the_job_is_placed(dispatcher, day):
    ana = courier("ana")
    (far,) = doa_jobs(1, day, districts=["160101"])  # Iquitos from Lima
    optimise(day, dispatcher)
    db.session.commit()
    kept = board.of_day(day).unplanned
    assert kept[far.id].startswith("Demasiado lejos para la duración del turno")
    route_edits.move(far, ana.id, day, dispatcher)  # the dispatcher places it by hand anyway
    db.session.commit()
    assert far.id not in board.of_day(day).unplanned
