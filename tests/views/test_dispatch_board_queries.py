"""The dispatch board reads the database a fixed number of times, however many jobs it shows:
its relations are loaded up front, never once per job."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.services.dispatch import publishing, route_edits
from tests import factories
from tests.factories import courier_with_profile as courier
from tests.services.test_dispatch import doa_jobs


def _render(client, day) -> tuple[list[str], str]:
    """The SQL statements one board render runs, and its HTML."""
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        html = client.get(f"/dispatch/?day={day.isoformat()}").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return statements, html


@pytest.fixture
def day():
    return factories.next_working_day()


def test_the_board_reads_as_often_with_twice_the_jobs(app, client, login, day):
    """The same statements for 4 jobs (2 on a published route, 2 to plan) as for 8: cases,
    customers, units, deadlines, reservations and availability are read in bulk."""
    app.config["ROUTING_SECONDS"] = 0.5
    ana = courier("ana", capacity=40)
    courier("beto", capacity=40)
    boss = factories.user(Role.DISPATCHER)

    def add(n: int) -> None:
        """`n` more jobs: half on Ana's route of the day, half still to plan."""
        made = doa_jobs(n, day)
        for job in made[: n // 2]:
            route_edits.move(job, ana.id, day, boss)
        db.session.commit()

    add(4)
    publishing.publish(day, boss)
    db.session.commit()
    login(boss.username)
    few, html = _render(client, day)
    assert "Por planificar (2)" in html and "2 paradas" in html
    assert "Sin equipo nuevo reservado" in html  # each DOA swap stop's reservation is shown
    add(4)
    more, html = _render(client, day)
    assert "Por planificar (4)" in html and "4 paradas" in html
    assert len(more) == len(few), "\n".join(
        f"{n} × {sql[:120]}" for sql, n in Counter(more).most_common(5)
    )
