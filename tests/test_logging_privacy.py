"""Ley 29733: no phone, DNI, address, e-mail or token reaches any log, from the app's own
loggers, Werkzeug's request lines or gunicorn's access log."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger
from sqlalchemy import select
from werkzeug.serving import make_server

from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.logging_setup import redact
from fieldapp.models import Case, DocType, Document, Job, OutboxMessage, Route
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from fieldapp.services.dispatch import publishing
from fieldapp.worker.jobs import deliver_pending, issue_pending
from tests import factories
from tests.api.conftest import API_KEY, body
from tests.factories import courier_with_profile as make_courier
from tests.factories import doa_actions, stock_unit
from tests.views.test_courier import post_sync

PHONE, DNI = "987123456", "40987654"
EMAIL, ADDRESS = "lucia.huaman@correo.example", "Av. Brasil 2870"
CUSTOMER = {
    "name": "Lucía Huamán",
    "phone": PHONE,
    "email": EMAIL,
    "document_id": DNI,
    "address": ADDRESS,
}
SIGNER_DNI = "45678912"  # what doa_actions signs with


@pytest.fixture
def captured(caplog):
    """Everything logged at DEBUG by any logger, as a handler on the root logger writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    yield stream, handler
    root.removeHandler(handler)


def publish(case: Case, courier) -> None:
    """Put the case's visit on today's route and publish the day (tracking link included)."""
    job = visits.open_job(case)
    route = Route(courier=courier, day=factories.days_ago(0))
    db.session.add(route)
    route.jobs.append(job)
    job.status, job.sequence = JobStatus.PLANNED, 1
    job.window_start = utcnow() + timedelta(hours=1)
    job.window_end = utcnow() + timedelta(hours=3)
    db.session.flush()
    publishing.publish(factories.days_ago(0), factories.user(Role.DISPATCHER))
    db.session.commit()


def serve(app, paths: list[str]) -> None:
    """Request `paths` from a real Werkzeug server, so its request log lines are written."""
    db.session.commit()  # the server's threads must not wait for the test's transaction
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        for path in paths:
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.server_port}{path}",
                headers={"Authorization": f"Bearer {API_KEY}", "Referer": f"/t/x?e={EMAIL}"},
            )
            with contextlib.suppress(urllib.error.HTTPError):  # a 4xx is logged too
                urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 (local server)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def gunicorn_access(paths: list[str], handler: logging.Handler) -> None:
    """Write gunicorn access lines (its own logger, which does not propagate) for `paths`."""
    config = Config()
    config.set("accesslog", "-")
    glog = GunicornLogger(config)
    glog.access_log.addHandler(handler)
    try:
        for path in paths:
            environ = {
                "REMOTE_ADDR": "190.12.34.56",
                "REQUEST_METHOD": "GET",
                "RAW_URI": path,
                "PATH_INFO": path.split("?")[0],
                "QUERY_STRING": path.partition("?")[2],
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_REFERER": f"https://st.example/t/x?tel={PHONE}",
                "HTTP_USER_AGENT": "Mozilla/5.0",
            }
            response = SimpleNamespace(status="200 OK", sent=512, headers=[])
            request = SimpleNamespace(headers=[("Authorization", f"Bearer {API_KEY}")])
            glog.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        for logger in (glog.access_log, glog.error_log):
            for added in list(logger.handlers):
                logger.removeHandler(added)
            logger.propagate = True


def test_a_day_of_work_leaves_no_personal_data_in_the_logs(app, client, login, captured, caplog):
    stream, handler = captured
    factories.api_client(API_KEY)
    auth = {"Authorization": f"Bearer {API_KEY}"}
    # Intake through the API: a DOA case, a duplicate, and one with a bad e-mail.
    payload = body(purchase_date="2026-11-06", customer=CUSTOMER)
    assert client.post("/api/v1/cases", json=payload, headers=auth).status_code == 201
    assert client.post("/api/v1/cases", json=payload, headers=auth).status_code == 409
    bad = body(customer={**CUSTOMER, "email": f"{PHONE}@", "ubigeo": "999999"})
    assert client.post("/api/v1/cases", json=bad, headers=auth).status_code == 422
    case = db.session.scalar(select(Case).where(Case.case_number == payload["case_number"]))
    # The courier: failed logins (one with the customer's e-mail as user name), then the sync.
    courier = make_courier("carlos")
    login("carlos", "wrong-password")
    login(EMAIL, DNI)
    login("carlos")
    publish(case, courier)
    stock_unit()
    job = db.session.scalar(select(Job).where(Job.case_id == case.id))
    for raw in doa_actions(job):
        assert post_sync(client, raw).status_code == 200
    # The customer was told the visit's window with the tracking link; the mail goes out.
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.to_address == EMAIL, OutboxMessage.body_text.contains("/t/")
        )
    )
    assert mail is not None and f"/t/{job.tracking_token}" in mail.body_text
    deliver_pending()
    assert issue_pending().failed == 0
    db.session.commit()
    note = db.session.scalar(select(Document).where(Document.doc_type == DocType.DOA_DELIVERY))
    token = job.tracking_token
    assert token and client.get(f"/t/{token}").status_code == 200
    assert client.get(f"/d/{note.token}").status_code == 200
    assert client.get(f"/d/{note.short_code}").status_code == 200
    # The same pages through a real server (Werkzeug's request log) and gunicorn's access log.
    pages = [f"/t/{token}", f"/d/{note.token}?dni={DNI}", f"/cases?q={PHONE}+{EMAIL}"]
    serve(app, pages)
    gunicorn_access(pages, handler)
    # Code that logs personal data by mistake is redacted too.
    log = logging.getLogger("fieldapp.services.cases.intake")
    log.debug("customer %s phone %s dni %s at %s", CUSTOMER["name"], PHONE, DNI, ADDRESS)
    try:
        raise ValueError(f"bad contact {EMAIL} / +51 {PHONE[:3]} {PHONE[3:6]} {PHONE[6:]}")
    except ValueError:
        log.exception("intake failed for token %s key %s", token, API_KEY)

    text = stream.getvalue() + "\n" + caplog.text
    text += "\n".join(record.getMessage() for record in caplog.records)
    secrets = [PHONE, DNI, SIGNER_DNI, EMAIL, ADDRESS, token, note.token, note.short_code, API_KEY]
    for secret in secrets + [f"{PHONE[:3]} {PHONE[3:6]} {PHONE[6:]}"]:
        assert secret not in text, secret
    # …and the logs are still there, with labels where the data was.
    assert '"GET /t/<token> HTTP/1.1" 200' in text  # Werkzeug
    assert '"GET /d/<token>?<redactado> HTTP/1.1" 200 512' in text  # gunicorn
    assert '"https://st.example/t/<token>?<redactado>"' in text  # its referer
    assert "phone <teléfono> dni <dni> at <dirección>" in text
    assert "ValueError: bad contact <correo> / <teléfono>" in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Authorization: Bearer abc.DEF-123", "Authorization: Bearer <clave>"),
        ("api_key=s3cr3t&x=1", "api_key=<clave>&x=1"),
        ("llamar al +51 987-654-321", "llamar al <teléfono>"),
        ("DNI 45678912.", "DNI <dni>."),
        ("visita en Jr. Huallaga 455, Cercado", "visita en <dirección>, Cercado"),
        ("POST /courier/sync HTTP/1.1 200", "POST /courier/sync HTTP/1.1 200"),
        # A name with an apostrophe in a search: nothing after it survives.
        (
            '"GET /cases/?q=Mar%C3%ADa+O\'Higgins+Quispe&status=open HTTP/1.1" 200 -',
            '"GET /cases/?<redactado> HTTP/1.1" 200 -',
        ),
        ("GET /cases?q=d'Angelo Rossi", "GET /cases?<redactado> Rossi"),
        ("sha256 " + "ab" * 32, "sha256 " + "ab" * 32),  # hex digests stay
        (
            "case KCC-100234 unit T123456 on 2026-11-24",
            "case KCC-100234 unit T123456 on 2026-11-24",
        ),
    ],
)
def test_redaction_patterns(line, expected):
    assert redact(line) == expected
