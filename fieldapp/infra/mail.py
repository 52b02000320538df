"""Sending e-mail: over SMTP (one connection per delivery run) or, with no MAIL_SERVER, as one
`.eml` file per message in a folder. Transports take a ready `EmailMessage`; what to send and
when to retry is the notifications service's business (services/notifications/delivery.py)."""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path

SMTP_TIMEOUT_SECONDS = 10


class TransportDown(Exception):
    """The mail server cannot be reached or used: the run stops, the rest wait for the next."""


class Transport:
    """Sends ready messages; `sender` is the From address they are built with."""

    sender: str

    def send(self, email: EmailMessage, name: str) -> None:
        """Send `email` (`name` identifies it in files and logs)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection, if any."""


class FileTransport(Transport):
    """Development: one .eml file per message under MAIL_OUTBOX_DIR."""

    def __init__(self, folder: str, sender: str):
        self.folder = Path(folder)
        self.sender = sender

    def send(self, email: EmailMessage, name: str) -> None:
        """Write `name`.eml atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(email.as_bytes())
        os.replace(temporary, path)  # never a half-written .eml


class SMTPTransport(Transport):
    """One SMTP connection per delivery run, opened on the first message."""

    def __init__(self, config: Mapping):
        self.config = config
        self.sender = config["MAIL_DEFAULT_SENDER"]
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

    def send(self, email: EmailMessage, name: str) -> None:
        """Send over the run's connection, opening it on the first message.

        :raises TransportDown: when the server cannot be reached or drops the connection.
        """
        if self.connection is None:
            try:
                self.connection = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                raise TransportDown("cannot connect to the mail server") from exc
        try:
            self.connection.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            if is_connection_error(exc):
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


def is_connection_error(exc: Exception) -> bool:
    """Whether the connection is useless after `exc` (SMTPException is an OSError too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing channel"
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def open_transport(config: Mapping) -> Transport:
    """SMTP when MAIL_SERVER is set, else `.eml` files under MAIL_OUTBOX_DIR."""
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_OUTBOX_DIR"], config["MAIL_DEFAULT_SENDER"])
