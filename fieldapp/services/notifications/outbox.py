"""E-mail notices: queued in the outbox with the change they report, delivered later.

`queue` adds messages in the caller's transaction, so a notice exists exactly when its state
change was committed. The worker's `deliver_mail` job (and the `send-mail` command) sends them
over SMTP with `claim` and `send_one`, or
writes `.eml` files when no MAIL_SERVER is set; a failure is recorded and retried with backoff,
never dropped. Delivery is at least once: a worker that dies after the server accepted a
message but before recording it sends it again once its claim expires.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from fieldapp import background
from fieldapp.domain import notices
from fieldapp.domain.case_flow import OPEN, Notice
from fieldapp.domain.deadlines import Urgency, urgency
from fieldapp.domain.notices import CarrierFacts, CarrierLeg, CaseFacts, Recipient
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import Case, CaseDeadline, Document, OutboxMessage
from fieldapp.models.types import utcnow
from fieldapp.services.notifications import wording

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
# Long enough for one send; a crashed worker's claim expires after it.
CLAIM_DURATION = timedelta(minutes=5)
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_ANY_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


class TransportDown(Exception):
    """The mail server cannot be reached or used: the run stops, the rest wait for the next."""


@dataclass
class DeliveryReport:
    """What one delivery run did, and how many messages still wait."""

    sent: int = 0
    failed: int = 0
    pending: int = 0
    skipped: int = 0  # claimed by another worker meanwhile

    def summary(self) -> str:
        """The one-line Spanish summary the CLI prints."""
        return f"enviados {self.sent}, fallidos {self.failed}, pendientes {self.pending}"


@dataclass(frozen=True)
class Visit:
    """A planned visit the customer is told about."""

    job_id: int
    window: tuple[datetime, datetime]
    tracking_url: str | None = None


@dataclass(frozen=True)
class CarrierBooking:
    """A job sent by agency the customer is told about: the agency, its branch, each leg as
    (direction value, waybill, expected arrival) and the tracking page."""

    job_id: int
    carrier: str
    agency_branch: str
    legs: tuple[tuple[str, str | None, datetime | None], ...]
    tracking_url: str | None = None


def queue(
    case: Case,
    notice: Notice,
    *,
    deadline: CaseDeadline | None = None,
    at: datetime | None = None,
    visit: Visit | None = None,
    carrier: CarrierBooking | None = None,
) -> list[OutboxMessage]:
    """Add `notice` about `case` to the outbox for the Case Admin and the customer (if known).

    A notice already queued for the same case, event or deadline, and recipient is not added
    again. Flushes; the caller commits.

    :raises ValueError: for DEADLINE_AT_RISK without its deadline, or CARRIER_BOOKED without
        its booking.
    """
    if notice is Notice.DEADLINE_AT_RISK and deadline is None:
        raise ValueError("a deadline-at-risk notice needs its deadline")
    if notice is Notice.CARRIER_BOOKED and carrier is None:
        raise ValueError("a carrier notice needs its booking")
    db.session.flush()  # the case needs its id for the key
    at = at or _event_time(case, notice)
    facts = _facts(case, notice, deadline, at)
    if visit is not None:
        facts = replace(facts, visit_window=visit.window, tracking_url=visit.tracking_url)
    if carrier is not None:
        legs = tuple(CarrierLeg(*leg) for leg in carrier.legs)
        facts = replace(
            facts,
            carrier=CarrierFacts(carrier.carrier, carrier.agency_branch, legs),
            tracking_url=carrier.tracking_url,
        )
    addresses = {
        Recipient.CASE_ADMIN: _clean_address(case.programme.case_admin_email),
        Recipient.CUSTOMER: _clean_address(case.customer.email),
    }
    scope = deadline.name if deadline is not None else "event"
    if visit is not None:
        scope = f"job-{visit.job_id}"  # each visit (a re-attempt too) is told once
    if carrier is not None:
        scope = f"job-{carrier.job_id}"  # each job sent by agency is told once
    queued: list[OutboxMessage] = []
    queued_at = utcnow()
    for recipient in notices.RECIPIENTS[notice]:
        address = addresses[recipient]
        if address is None:
            continue
        key = f"{case.id}:{notice.value}:{scope}:{recipient.value}"
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
            continue
        composed = wording.compose(notice, facts, recipient)
        message = OutboxMessage(
            idempotency_key=key,
            case_id=case.id,
            notice=notice.value,
            recipient_role=recipient.value,
            to_address=address,
            subject=composed.subject,
            body_text=composed.body,
            created_at=queued_at,
            next_attempt_at=queued_at,
        )
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            continue  # queued meanwhile by a concurrent transaction
        queued.append(message)
    if queued:
        background.after_commit("deliver_mail")
    return queued


def warn_at_risk(now: datetime | None = None) -> int:
    """Queue DEADLINE_AT_RISK once for every open deadline at risk or overdue; returns how many.

    Flushes; the caller commits.
    """
    now = now or utcnow()
    found = db.session.scalars(
        select(CaseDeadline)
        .join(Case)
        .where(
            CaseDeadline.done_at.is_(None),
            CaseDeadline.warned_at.is_(None),
            Case.status.in_(OPEN),
        )
        .order_by(CaseDeadline.due_at)
    ).all()
    warned = 0
    for deadline in found:
        if urgency(deadline.starts_at, deadline.due_at, now) in (Urgency.AT_RISK, Urgency.OVERDUE):
            queue(deadline.case, Notice.DEADLINE_AT_RISK, deadline=deadline, at=now)
            deadline.warned_at = now
            warned += 1
    db.session.flush()
    return warned


def due_message_ids(now: datetime, limit: int) -> list[int]:
    """The ids of up to `limit` messages due for sending and not held by another worker."""
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                _unlocked(now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def pending_count() -> int:
    """How many messages wait to be sent."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    )


def send_one(message: OutboxMessage, transport: _Transport, now: datetime) -> str:
    """Send a claimed message and record the outcome (flushes): "sent", "failed", or "down"
    when the mail server is away (the caller ends its run: the others wait for the next)."""
    try:
        transport.send(message, now)
    except TransportDown as exc:
        _record_failure(message, exc.__cause__ or exc, now)
        return "down"
    except Exception as exc:  # one bad message must not stop the others
        _record_failure(message, exc, now)
        return "failed"
    message.sent_at = now
    message.locked_until = None
    message.last_error = None
    db.session.flush()
    return "sent"


def _unlocked(now: datetime):
    return or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)


def claim(message_id: int, now: datetime) -> bool:
    """Take the message for this worker: one atomic UPDATE, won only if nobody holds it (the
    caller commits the claim before sending)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), _unlocked(now))
        .values(locked_until=now + CLAIM_DURATION)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = _describe(exc)
    message.next_attempt_at = now + notices.retry_delay(message.attempts)
    message.locked_until = None
    log.warning(
        "outbox message %s not sent (attempt %s): %s",
        message.id,
        message.attempts,
        message.last_error,
    )


def _describe(exc: Exception) -> str:
    """The error's class and SMTP code, with any address removed (no personal data)."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(reply[0]) for reply in exc.recipients.values()})
        detail = f"{type(exc).__name__} {'/'.join(codes)}"
    elif code is not None:
        text = getattr(exc, "smtp_error", b"")
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        detail = f"{type(exc).__name__} {code} {text}"
    else:
        detail = f"{type(exc).__name__} {exc}"
    return _ANY_ADDRESS.sub("<dirección>", " ".join(detail.split()))[:200]


def clean_address(address: str | None) -> str | None:
    """The address trimmed, or None when it is empty or not a valid e-mail address."""
    return _clean_address(address)


def _clean_address(address: str | None) -> str | None:
    address = (address or "").strip()
    if not address:
        return None
    if not _ADDRESS.match(address):
        log.warning("notice not queued: an address on file is not a valid e-mail address")
        return None
    return address


def _event_time(case: Case, notice: Notice) -> datetime:
    stamps = {
        Notice.CASE_RECEIVED: case.received_at,
        Notice.UNIT_RECEIVED: case.unit_received_at,
        Notice.REPAIR_DONE: case.repaired_at,
        Notice.UNIT_RETURNED: case.returned_at,
        Notice.WARRANTY_VOIDED: case.closed_at,
    }
    return stamps.get(notice) or utcnow()


def _facts(case: Case, notice: Notice, deadline: CaseDeadline | None, at: datetime) -> CaseFacts:
    config = current_app.config
    if deadline is None:
        # The next deadline still open: what the customer waits for now.
        open_ones = [d for d in case.deadlines if d.done_at is None]
        deadline_due = min((d.due_at for d in open_ones), default=None)
    else:
        deadline_due = deadline.due_at
    return CaseFacts(
        case_number=case.case_number,
        service_number=case.unit.service_number,
        customer_first_name=case.customer.first_name,
        flow=case.flow,
        at=at,
        st_name=config["ST_NAME"],
        st_address=config["ST_ADDRESS"],
        brand=case.programme.brand,
        due_at=deadline_due,
        deadline_name=deadline.name if deadline is not None else None,
        overdue=deadline is not None and at > deadline.due_at,
    )


def build_email(message: OutboxMessage, sender: str, now: datetime) -> EmailMessage:
    """The RFC 5322 message for an outbox row (UTF-8 text, stable Message-ID across retries)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2].strip(">") or "localhost"
    # The same id on every retry, so a receiver can drop a duplicate of an at-least-once send.
    created = int(message.created_at.timestamp())
    email["Message-ID"] = f"<fieldapp.outbox.{message.id}.{created}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    # Quoted-printable: 7-bit safe for any relay, even one without 8BITMIME.
    email.set_content(message.body_text, charset="utf-8", cte="quoted-printable")
    email["Content-Language"] = "es-PE"  # after set_content, which resets Content-* headers
    if message.document_id is not None:
        _attach_document(email, message.document_id)
    return email


def _attach_document(email: EmailMessage, document_id: int) -> None:
    """Attach an issued document's frozen PDF bytes (a missing file fails this send)."""
    document = db.session.get(Document, document_id)
    data = media.read(document.sha256, "application/pdf")
    email.add_attachment(
        data, maintype="application", subtype="pdf", filename=f"{document.number}.pdf"
    )


class _Transport:
    def send(self, message: OutboxMessage, now: datetime) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection, if any."""


class _FileTransport(_Transport):
    """Development: one .eml file per message under MAIL_OUTBOX_DIR."""

    def __init__(self, folder: str, sender: str):
        self.folder = Path(folder)
        self.sender = sender

    def send(self, message: OutboxMessage, now: datetime) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message.id:08d}-{message.notice}-{message.recipient_role}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(build_email(message, self.sender, now).as_bytes())
        os.replace(temporary, path)  # never a half-written .eml


class _SMTPTransport(_Transport):
    """One SMTP connection per delivery run, opened on the first message."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS
        )
        try:
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: OutboxMessage, now: datetime) -> None:
        email = build_email(message, self.config["MAIL_DEFAULT_SENDER"], now)
        if self.connection is None:
            try:
                self.connection = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                raise TransportDown("cannot connect to the mail server") from exc
        try:
            self.connection.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            if _is_connection_error(exc):
                self._drop()
                raise TransportDown("the mail server connection failed") from exc
            raise

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.quit()
        self._drop()


def _is_connection_error(exc: Exception) -> bool:
    """Whether the connection is useless after `exc` (SMTPException is an OSError too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing channel"
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def open_transport() -> _Transport:
    config = current_app.config
    if config["MAIL_SERVER"]:
        return _SMTPTransport(config)
    return _FileTransport(config["MAIL_OUTBOX_DIR"], config["MAIL_DEFAULT_SENDER"])
