"""The job queue: jobs sent once their transaction commits, run by the worker, retried with
backoff, failures shown to the admin, lost jobs caught by the sweep, the optimiser off the
request with its stale-plan check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import (
    DocType,
    Document,
    DocumentRequest,
    FailedJob,
    Job,
    OptimisationRun,
    RunStatus,
)
from fieldapp.models.types import utcnow
from fieldapp.services.dispatch import optimisation_runs
from fieldapp.services.documents import issuing, requests
from fieldapp.transaction import unit_of_work
from fieldapp.worker import jobs
from tests import factories
from tests.factories import courier_with_profile as courier
from tests.services.test_dispatch import doa_jobs


def _messages(app) -> list[tuple[str, tuple]]:
    from dramatiq import Message

    broker = app.extensions["fieldapp_queue"].broker
    found = []
    for queue in broker.queues.values():
        for raw in list(queue.queue):
            message = Message.decode(raw) if isinstance(raw, bytes) else raw
            found.append((message.actor_name, tuple(message.args)))
    return found


def test_a_job_is_sent_only_when_its_transaction_commits(app):
    case = factories.case()
    requested = requests.request(DocType.RECEPTION_RECEIPT, "k1", case=case)
    assert ("issue_document", (requested.id,)) not in _messages(app)  # not before the commit
    db.session.commit()
    assert ("issue_document", (requested.id,)) in _messages(app)

    requests.request(DocType.RECEPTION_RECEIPT, "k2", case=case)
    db.session.rollback()
    assert [m for m in _messages(app) if m[0] == "issue_document"] == [
        ("issue_document", (requested.id,))
    ]


def test_the_worker_issues_a_requested_document(app, background):
    case = factories.case()
    requested = requests.request(DocType.RECEPTION_RECEIPT, "k1", case=case)
    db.session.commit()
    background.drain()
    issued = db.session.scalar(select(Document).where(Document.request_id == requested.id))
    assert issued is not None and issued.number.startswith("RC-")
    assert db.session.get(DocumentRequest, requested.id).done_at is not None


def test_a_failing_job_is_retried_and_shown_to_the_admin_then_cleared(
    app, background, client, login, monkeypatch
):
    case = factories.case()
    requested = requests.request(DocType.RECEPTION_RECEIPT, "k1", case=case)
    db.session.commit()
    broken = {"now": True}
    real_render = issuing.pdf_render.render

    def render_failing_until_fixed(*args, **kwargs):
        if broken["now"]:
            raise RuntimeError("el renderizador no responde")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(issuing.pdf_render, "render", render_failing_until_fixed)
    actor = app.extensions["fieldapp_queue"].actors["issue_document"]
    monkeypatch.setitem(actor.options, "min_backoff", 200)  # the test's retries come quickly
    monkeypatch.setitem(actor.options, "max_backoff", 400)
    monkeypatch.setitem(actor.options, "max_retries", 10_000)  # never exhausted meanwhile
    # Dramatiq's retry waits min_backoff (2 s) at least; wait on state for the first failure.
    background.drain()
    failed = db.session.scalar(select(FailedJob))
    assert failed is not None and failed.job == "issue_document"
    assert failed.arguments == str(requested.id) and not failed.gave_up
    assert "el renderizador no responde" in failed.error
    assert db.session.get(DocumentRequest, requested.id).attempts >= 1

    login(factories.user(Role.ADMIN).username)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "issue_document" in page and "el renderizador no responde" in page
    assert "se reintentará" in page

    # Fixed: the next retry (from the delay queue, with backoff) succeeds and clears it.
    broken["now"] = False
    broker = app.extensions["fieldapp_queue"].broker
    broker.join("default", timeout=30_000)
    background.drain()
    assert db.session.scalar(select(func.count(FailedJob.id))) == 0
    assert db.session.scalar(select(Document).where(Document.request_id == requested.id))


def test_the_sweep_issues_what_a_lost_job_left_waiting(app):
    case = factories.case()
    requested = requests.request(DocType.RECEPTION_RECEIPT, "k1", case=case)
    db.session.commit()
    app.extensions["fieldapp_queue"].broker.flush_all()  # the message is lost
    jobs.sweep()
    db.session.expire_all()
    assert db.session.get(DocumentRequest, requested.id).done_at is not None


def test_healthz_reports_the_age_of_the_oldest_waiting_document(app, client):
    case = factories.case()
    requested = requests.request(DocType.RECEPTION_RECEIPT, "k1", case=case)
    requested.requested_at = utcnow() - timedelta(minutes=3)
    db.session.commit()
    queue = client.get("/healthz").json["queue"]
    assert queue["documents_waiting"] == 1
    assert 175 <= queue["oldest_waiting_seconds"] <= 240


@pytest.fixture
def dispatcher(app):
    return factories.user(Role.DISPATCHER)


def test_an_optimisation_run_is_applied_by_the_worker(app, dispatcher, background):
    app.config["ROUTING_SECONDS"] = 0.5
    day = utcnow().date() + timedelta(days=1)
    courier("ana", capacity=4)
    made = doa_jobs(3, day)
    run = optimisation_runs.request_run(day, dispatcher)
    again = optimisation_runs.request_run(day, dispatcher)
    assert again.id == run.id  # one run at a time per day
    background.drain()
    run = db.session.get(OptimisationRun, run.id)
    assert run.status is RunStatus.APPLIED and run.message.startswith("Plan optimizado: 3")
    assert {j.status for j in made} == {JobStatus.PLANNED}


def test_a_plan_solved_on_stale_data_is_not_applied_and_the_dispatcher_is_told(
    app, dispatcher, monkeypatch
):
    app.config["ROUTING_SECONDS"] = 0.3
    day = utcnow().date() + timedelta(days=1)
    courier("ana")
    made = doa_jobs(2, day)
    real_solve = jobs.routing.solve
    target = made[0].id

    def bump(problem, *args, **kwargs):
        plan = real_solve(problem, *args, **kwargs)
        with db.engine.begin() as connection:
            table = Job.__table__
            connection.execute(
                table.update().where(table.c.id == target).values(version=table.c.version + 1)
            )
        return plan

    monkeypatch.setattr(jobs.routing, "solve", bump)
    with unit_of_work():
        run_id = optimisation_runs.request_run(day, dispatcher).id
    jobs.optimise_day(run_id)
    db.session.expire_all()
    run = db.session.get(OptimisationRun, run_id)
    assert run.status is RunStatus.STALE
    assert "cambió las rutas de este día mientras se optimizaba" in run.message
    assert {j.status for j in made} == {JobStatus.PENDING}  # nothing applied


def test_the_sweep_runs_an_optimisation_whose_job_was_lost(app, dispatcher):
    app.config["ROUTING_SECONDS"] = 0.3
    day = utcnow().date() + timedelta(days=1)
    courier("ana")
    doa_jobs(1, day)
    with unit_of_work():
        run = optimisation_runs.request_run(day, dispatcher)
        run.created_at = utcnow() - timedelta(minutes=2)
        run_id = run.id
    app.extensions["fieldapp_queue"].broker.flush_all()  # its message is lost
    jobs.sweep()
    db.session.expire_all()
    assert db.session.get(OptimisationRun, run_id).status is RunStatus.APPLIED


def test_the_board_shows_a_finished_run_for_a_while_only(app, dispatcher):
    day = utcnow().date() + timedelta(days=1)
    with unit_of_work():
        run = optimisation_runs.request_run(day, dispatcher)
    assert optimisation_runs.to_show(day, utcnow()) == run  # waiting: shown
    run.status, run.finished_at, run.message = RunStatus.STALE, utcnow(), "Otra persona…"
    assert optimisation_runs.to_show(day, utcnow() + timedelta(minutes=9)) == run
    assert optimisation_runs.to_show(day, utcnow() + timedelta(minutes=11)) is None
