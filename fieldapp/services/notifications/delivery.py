"""Delivering the outbox: the worker's `deliver_mail` job (and `flask send-mail`) takes due
messages with `claim`, sends each with `send_one` through a transport (fieldapp/infra/mail.py)
and records the outcome; a failure is retried with backoff, never dropped. Delivery is at least
once: a worker that dies after the server accepted a message but before recording it sends it
again once its claim expires."""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import func, or_, select, update

from fieldapp.domain import notices
from fieldapp.extensions import db
from fieldapp.infra import mail, media
from fieldapp.infra.mail import Transport, TransportDown
from fieldapp.models import Document, OutboxMessage

log = logging.getLogger(__name__)

# Long enough for one send; a crashed worker's claim expires after it.
CLAIM_DURATION = timedelta(minutes=5)
_ANY_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


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


def send_one(message: OutboxMessage, transport: Transport, now: datetime) -> str:
    """Send a claimed message and record the outcome (flushes): "sent", "failed", or "down"
    when the mail server is away (the caller ends its run: the others wait for the next)."""
    try:
        email = build_email(message, transport.sender, now)
        transport.send(email, f"{message.id:08d}-{message.notice}-{message.recipient_role}")
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


def open_transport() -> Transport:
    """The transport the app is configured for (SMTP, or `.eml` files in development)."""
    return mail.open_transport(current_app.config)
