"""Logging without personal data (Ley 29733): every log record is redacted as it is made.

The redaction is installed as the process's log-record factory, so it covers every logger and
every handler alike: the app's own, Werkzeug's request lines, gunicorn's access and error logs
(the workers import the app), and whatever handler an operator or a test adds. Phone numbers,
DNIs, e-mail addresses, bearer/API keys, street addresses, the tokens in `/t/<token>` and
`/d/<token>` and query strings of logged URLs never reach a handler.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

# Order matters: URLs and keys first (they may hold digits the later patterns would eat).
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Public tracking and document pages: /t/<token>, /d/<token-or-short-code>.
    (re.compile(r"(/[td]/)[^\s/?#\"'<>]+"), r"\1<token>"),
    # Any query string on a logged path or URL (searches, tokens, keys, names), to the next
    # space or double quote: an apostrophe is part of a name ("O'Higgins"), not its end.
    (re.compile(r"(/[^\s?\"']*)\?[^\s\"<>]+"), r"\1?<redactado>"),
    # Authorization headers, bearer tokens and key=value secrets.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 <clave>"),
    (
        re.compile(
            r"(?i)\b(api[_-]?key|x-api-key|key|token|tracking_token|secret|password|passwd|"
            r"clave|contraseña)([\"']?(?:\s*[:=]\s*|\s+)[\"']?)(?!<)[^\s\"'&,;<>]+"
        ),
        r"\1\2<clave>",
    ),
    # E-mail addresses.
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "<correo>"),
    # Random tokens (urlsafe base64: upper, lower and digits), not hex digests or identifiers.
    (
        re.compile(
            r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])"
            r"(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])"
        ),
        "<token>",
    ),
    # Peruvian mobiles: 9XX XXX XXX, with or without +51 and separators.
    (
        re.compile(r"(?<![A-Za-z0-9])(?:\+?51[\s-]?)?9\d{2}[\s-]?\d{3}[\s-]?\d{3}(?![A-Za-z0-9])"),
        "<teléfono>",
    ),
    # DNIs: eight digits on their own.
    (re.compile(r"(?<![A-Za-z0-9.,:/-])\d{8}(?![A-Za-z0-9]|[.,:/-]\d)"), "<dni>"),
    # Street addresses: a Peruvian street prefix, words, then a number.
    (
        re.compile(
            r"(?i)\b(?:av|avda|avenida|jr|jir[oó]n|calle|psje|pasaje|prol|prolongaci[oó]n|"
            r"mz|urb|carretera|malec[oó]n)\.?(?:\s|\+|%20)+[^\n\"'<>,;|]{0,60}?\d{1,5}\b"
        ),
        "<dirección>",
    ),
)


def redact(text: str) -> str:
    """`text` with every personal-data pattern replaced by a label."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Freeze the record's message (args merged in) and traceback text, redacted."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is, redacted
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the formatted (redacted) text is what handlers print
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Make every new log record in this process a redacted one (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "fieldapp_redacting", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        return _redact_record(factory(*args, **kwargs))

    redacting_factory.fieldapp_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


def init_app(app: Flask) -> None:
    """Install the redaction; in development the app's own logs go down to DEBUG."""
    install()
    if app.config.get("FIELDAPP_ENV") in {"development", "demo"}:
        logging.getLogger("fieldapp").setLevel(logging.DEBUG)
