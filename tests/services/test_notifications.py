"""Notices through the outbox to a real SMTP server on loopback (aiosmtpd), and to .eml files."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Notice, Origin, Status
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Case, OutboxMessage
from fieldapp.models.types import utcnow
from fieldapp.services.cases import intake
from fieldapp.services.cases.progress import apply_event
from fieldapp.services.notifications import delivery
from fieldapp.services.notifications import outbox as notifications
from fieldapp.worker.jobs import deliver_pending
from tests import factories
from tests.services.test_shipments import doa_job, send

ADMIN = "case.admin@kodak.example"
CUSTOMER = "maria@correo.example"


class Inbox:
    """An aiosmtpd handler that keeps what it accepts, or refuses with 550 while `refuse` is set."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse = False
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return f"550 5.7.1 Buzón no disponible para <{CUSTOMER}>"
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Aceptado"

    def subjects(self) -> list[str]:
        return [message["Subject"] for _, message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A real SMTP server on 127.0.0.1, started and stopped by the test."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running loopback SMTP server the app is configured to use."""
    server = Server(free_port())
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    app.config.update(MAIL_DEFAULT_SENDER="Servicio Técnico <avisos@st.example>")
    yield server
    server.stop()


def outbox(case: Case | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if case is not None:
        query = query.where(OutboxMessage.case_id == case.id)
    return list(db.session.scalars(query))


def body(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_new_case_is_mailed_to_the_case_admin_and_the_customer(smtp):
    case = factories.case()
    service_number = case.unit.service_number

    report = deliver_pending()

    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    assert report.summary() == "enviados 2, fallidos 0, pendientes 0"
    by_recipient = {tuple(rcpt): message for rcpt, message in smtp.inbox.messages}
    assert set(by_recipient) == {(ADMIN,), (CUSTOMER,)}
    customer = by_recipient[(CUSTOMER,)]
    assert customer["To"] == CUSTOMER
    assert customer["From"] == "Servicio Técnico <avisos@st.example>"
    assert customer["Subject"] == (
        f"Caso {case.case_number} – Recibido por el servicio técnico – "
        f"N.º de servicio {service_number}"
    )
    assert customer["Content-Language"] == "es-PE"
    assert customer["Auto-Submitted"] == "auto-generated"
    assert customer.get_content_charset() == "utf-8"
    assert customer["Content-Transfer-Encoding"] == "quoted-printable"
    text = body(customer)
    assert text.startswith("Estimado(a) María:")
    assert f"Recibimos su caso {case.case_number}" in text
    assert f"Número de servicio: {service_number}" in text
    assert "traiga su equipo a nuestro mostrador (Av. José Gálvez Barrenechea 134" in text
    assert "Alternativa Tecnológica S.A.C." in text
    admin_text = body(by_recipient[(ADMIN,)])
    assert admin_text.startswith("Estimado equipo de Case Admin:")
    assert "Cliente: María" in admin_text
    assert "Flujo: Garantía Lima" in admin_text
    for message in outbox(case):
        assert message.sent_at is not None
        assert message.attempts == 0
        assert message.locked_until is None


def test_a_customer_without_an_address_only_the_case_admin_is_written(smtp):
    case = factories.case(customer={"email": None})
    assert [(m.recipient_role, m.to_address) for m in outbox(case)] == [("case_admin", ADMIN)]


def test_a_refusing_server_keeps_the_message_and_the_state_change_then_it_goes_once(smtp):
    case = factories.case()
    deliver_pending()
    apply_event(case, Event.RECEIVE_UNIT, None)
    db.session.commit()
    smtp.inbox.refuse = True
    before = len(smtp.inbox.messages)
    now = utcnow()

    report = deliver_pending(now=now)

    assert (report.sent, report.failed, report.pending) == (0, 2, 2)
    waiting = [m for m in outbox(case) if m.sent_at is None]
    assert {m.notice for m in waiting} == {Notice.UNIT_RECEIVED.value}
    for message in waiting:
        assert message.attempts == 1
        assert message.last_error.startswith("SMTPDataError 550")
        assert "@" not in message.last_error  # no personal data in the error
        assert message.next_attempt_at == now + timedelta(minutes=1)
        assert message.locked_until is None
    assert db.session.get(Case, case.id).status is Status.IN_WORKSHOP
    assert len(smtp.inbox.messages) == before

    # Not due yet: the backoff holds, the server is not asked again.
    smtp.inbox.refuse = False
    report = deliver_pending(now=now + timedelta(seconds=30))
    assert (report.sent, report.failed, report.pending) == (0, 0, 2)
    assert len(smtp.inbox.messages) == before

    later = now + timedelta(minutes=2)
    report = deliver_pending(now=later)
    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    report = deliver_pending(now=later + timedelta(hours=1))
    assert (report.sent, report.pending) == (0, 0)
    received = [s for s in smtp.inbox.subjects() if "Equipo recibido en taller" in s]
    assert len(received) == 2
    assert all(case.case_number in s and case.unit.service_number in s for s in received)
    retried = {m.id for m in waiting}
    for message in outbox(case):
        assert message.sent_at is not None
        if message.id in retried:
            assert (message.sent_at, message.attempts, message.last_error) == (later, 1, None)


def test_a_server_down_for_an_hour_leaves_messages_waiting_and_they_go_after(app):
    server = Server(free_port())  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    case = factories.case()
    start = utcnow()
    for minute in range(0, 61, 5):  # a cron job every five minutes
        report = deliver_pending(now=start + timedelta(minutes=minute))
        # The run stops at the first connection failure: one try, not one per message.
        assert (report.sent, report.failed, report.pending) in {(0, 1, 2), (0, 0, 2)}
    for message in outbox(case):
        assert message.sent_at is None
        assert message.attempts >= 3
        assert message.last_error.startswith("ConnectionRefusedError")
        assert "@" not in message.last_error
        # Backoff never waits more than 15 minutes past the last try.
        assert message.next_attempt_at <= start + timedelta(minutes=60 + 15)

    server.start()
    try:
        report = deliver_pending(now=start + timedelta(minutes=80))
    finally:
        server.stop()
    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    assert sorted(rcpt[0] for rcpt, _ in server.inbox.messages) == [ADMIN, CUSTOMER]


def test_a_message_claimed_by_another_worker_is_left_to_it(smtp):
    case = factories.case()
    now = utcnow()
    held = outbox(case)[0]
    held.locked_until = now + timedelta(minutes=5)  # another worker is sending it
    db.session.commit()

    report = deliver_pending(now=now)
    assert (report.sent, report.pending) == (1, 1)
    assert smtp.inbox.messages[0][0] != [held.to_address]

    # That worker died: once its claim runs out the message goes, exactly once.
    report = deliver_pending(now=now + timedelta(minutes=6))
    assert (report.sent, report.pending) == (1, 0)
    assert sorted(rcpt[0] for rcpt, _ in smtp.inbox.messages) == [ADMIN, CUSTOMER]


def test_the_claim_update_is_won_by_one_worker_only(app):
    case = factories.case()
    message_id = outbox(case)[0].id
    now = utcnow()
    assert delivery.claim(message_id, now) is True
    assert delivery.claim(message_id, now) is False
    assert delivery.claim(message_id, now + delivery.CLAIM_DURATION * 2) is True


def test_two_workers_at_once_send_every_message_exactly_once(app, smtp):
    for _ in range(3):
        factories.case()
    smtp.inbox.delay = 0.05
    reports, errors = [], []

    def worker():
        with app.app_context():
            try:
                reports.append(deliver_pending())
            except Exception as exc:  # surfaced below; a thread's exception is otherwise lost
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.session.commit()

    assert errors == []
    assert len(reports) == 2
    assert sum(r.sent for r in reports) == 6
    ids = [message["Message-ID"] for _, message in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 6
    assert all(m.sent_at is not None for m in outbox())


def test_without_a_mail_server_messages_are_written_as_eml_files(app, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    case = factories.case()

    report = deliver_pending()

    assert (report.sent, report.pending) == (2, 0)
    files = sorted((tmp_path / "outbox").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    parsed = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    to_customer = next(m for m in parsed if m["To"] == CUSTOMER)
    assert case.case_number in to_customer["Subject"]
    assert case.unit.service_number in to_customer["Subject"]
    assert "Estimado(a) María:" in body(to_customer)
    assert to_customer["Message-ID"].startswith("<fieldapp.outbox.")


def test_an_unwritable_outbox_folder_is_a_failure_that_is_retried(app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(blocker))
    case = factories.case()
    report = deliver_pending()
    assert (report.sent, report.failed, report.pending) == (0, 2, 2)
    assert all(m.attempts == 1 and m.last_error for m in outbox(case))
    assert not list(Path(tmp_path).glob("**/*.eml"))


def test_the_same_notice_is_never_queued_twice(app):
    case = factories.case()
    assert notifications.queue(case, Notice.CASE_RECEIVED) == []
    db.session.commit()
    assert [m.notice for m in outbox(case)] == ["case_received", "case_received"]


def test_a_job_sent_by_agency_is_mailed_to_the_customer_with_its_tracking(smtp):
    dispatcher = factories.user(Role.DISPATCHER)
    job = doa_job()
    deliver_pending()  # the case's own notices
    smtp.inbox.messages.clear()
    send(job, dispatcher)

    report = deliver_pending()

    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    [(rcpt, message)] = smtp.inbox.messages
    assert rcpt == [CUSTOMER]
    assert message["Subject"] == (
        f"Caso {job.case.case_number} – Envío por agencia – "
        f"N.º de servicio {job.case.unit.service_number}"
    )
    text = body(message)
    assert text.startswith("Estimado(a) María:")
    assert (
        "Envío de su equipo: Shalom, N.º de guía (seguimiento) SH-0012345; llegada estimada" in text
    )
    assert "Agencia: Shalom Iquitos — Av. Quiñones 1200." in text
    assert f"/t/{job.tracking_token}" in text


def test_deliver_pending_sends_at_most_limit(app, tmp_path):
    app.config.update(MAIL_SERVER="")
    factories.case()
    factories.case()
    report = deliver_pending(limit=3)
    assert (report.sent, report.pending) == (3, 1)


def _case_of(flow: Flow) -> Case:
    received = utcnow().astimezone(LIMA_TZ) - timedelta(hours=1)
    doa = flow in case_flow.DOA_FLOWS
    provinces = flow in (Flow.DOA_PROVINCES, Flow.WARRANTY_PROVINCES, Flow.WARRANTY_STORE)
    ubigeo = "040101" if provinces else "150122"
    origin = {
        Flow.DOA_STORE: Origin.STORE,
        Flow.WARRANTY_STORE: Origin.STORE,
        Flow.DOA_COUNTER: Origin.ST_COUNTER,
        Flow.WALK_IN: Origin.ST_COUNTER,
    }.get(flow, Origin.CALL_CENTER)
    store = intake.StoreInput(name="Tienda", ubigeo=ubigeo) if origin is Origin.STORE else None
    made = factories.case(
        received_at=received,
        purchase_date=received.date() - timedelta(days=10 if doa else 90),
        origin=origin,
        store=store,
        customer={"ubigeo": ubigeo},
    )
    assert made.flow is flow
    return made


@pytest.mark.parametrize("flow", list(Flow))
def test_every_transition_with_a_notice_queues_exactly_its_message(app, flow):
    factories.programme()
    fresh = _case_of(flow)
    expected = {Notice.CASE_RECEIVED.value}
    if flow is Flow.WALK_IN:
        expected.add(Notice.UNIT_RECEIVED.value)
    assert {m.notice for m in outbox(fresh)} == expected
    assert len(outbox(fresh)) == 2 * len(expected)

    reachable = case_flow.reachable_statuses(flow)
    for event, transition in case_flow.FLOWS[flow].items():
        sources = sorted(transition.sources & reachable)
        if transition.notice is None or not sources:
            continue  # a walk-in never passes through RECEIVED: its reception is at intake
        source = sources[0]
        case = _case_of(flow)
        for step in case_flow.path_to(flow, source):
            apply_event(case, step, None)
        before = {m.id for m in outbox(case)}
        applied = {m.notice for m in outbox(case)}
        apply_event(case, event, None)
        db.session.commit()
        new = [m for m in outbox(case) if m.id not in before]
        assert sorted((m.notice, m.recipient_role) for m in new) == [
            (transition.notice.value, "case_admin"),
            (transition.notice.value, "customer"),
        ], (flow, event)
        assert transition.notice.value not in applied
        assert all(case.case_number in m.subject for m in new)


def test_transitions_without_a_notice_queue_nothing(app):
    case = _case_of(Flow.WARRANTY_PROVINCES)
    count = len(outbox(case))
    for event in (Event.SCHEDULE, Event.UNSCHEDULE, Event.PICK_UP):
        apply_event(case, event, None)
    db.session.commit()
    assert len(outbox(case)) == count


def test_deadlines_at_risk_are_warned_once(app):
    case = _case_of(Flow.DOA_LIMA)
    done = _case_of(Flow.DOA_LIMA)
    apply_event(done, Event.SWAP, None)
    cancelled = _case_of(Flow.DOA_LIMA)
    apply_event(cancelled, Event.CANCEL, None)
    db.session.commit()
    swap = case.deadlines[0]
    assert swap.name == "swap"

    assert notifications.warn_at_risk(now=swap.starts_at + timedelta(minutes=5)) == 0
    at_risk = swap.due_at - timedelta(hours=1)
    assert notifications.warn_at_risk(now=at_risk) == 1
    db.session.commit()
    assert notifications.warn_at_risk(now=swap.due_at + timedelta(hours=1)) == 0
    db.session.commit()

    assert db.session.get(type(swap), swap.id).warned_at == at_risk
    warnings = [m for m in outbox() if m.notice == Notice.DEADLINE_AT_RISK.value]
    assert sorted((m.case_id, m.recipient_role) for m in warnings) == [
        (case.id, "case_admin"),
        (case.id, "customer"),
    ]
    admin = next(m for m in warnings if m.recipient_role == "case_admin")
    assert "Plazo por vencer" in admin.subject
    assert f"El plazo de cambio del equipo del caso {case.case_number} está por vencer" in (
        admin.body_text
    )


def test_an_overdue_deadline_is_warned_as_overdue(app):
    case = _case_of(Flow.WARRANTY_PROVINCES)
    pickup = case.deadlines[0]
    assert notifications.warn_at_risk(now=pickup.due_at + timedelta(hours=2)) == 1
    db.session.commit()
    customer = next(
        m
        for m in outbox(case)
        if m.notice == Notice.DEADLINE_AT_RISK.value and m.recipient_role == "customer"
    )
    assert "Plazo vencido" in customer.subject
    assert "Lamentamos que la atención de su caso esté tomando más tiempo" in customer.body_text


def test_send_mail_and_check_deadlines_commands(app, runner, tmp_path):
    app.config.update(MAIL_SERVER="")
    case = _case_of(Flow.DOA_LIMA)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "enviados 2, fallidos 0, pendientes 0"

    result = runner.invoke(args=["check-deadlines"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "plazos en riesgo avisados 0; enviados 0, fallidos 0, pendientes 0"
    )
    swap = db.session.get(Case, case.id).deadlines[0]
    swap.starts_at, swap.due_at = utcnow() - timedelta(days=2), utcnow() - timedelta(hours=1)
    db.session.commit()
    result = runner.invoke(args=["check-deadlines"])
    assert result.output.strip() == (
        "plazos en riesgo avisados 1; enviados 2, fallidos 0, pendientes 0"
    )
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 4
