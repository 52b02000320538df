"""Issued documents for anyone holding their token: the public lookup and the initials it shows
(who may download which is `fieldapp.services.access.document_for`)."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.models import Document
from fieldapp.services.documents.issuing import SHORT_CODE_LENGTH


def find_public(token_or_code: str) -> Document | None:
    """The document behind a verification token or a typed short code (dash and case ignored)."""
    found = db.session.scalar(select(Document).where(Document.token == token_or_code))
    if found is not None:
        return found
    code = token_or_code.replace("-", "").strip().upper().replace("O", "0")
    code = code.replace("I", "1").replace("L", "1")
    if len(code) != SHORT_CODE_LENGTH:
        return None
    return db.session.scalar(select(Document).where(Document.short_code == code))


def initials(name: str | None) -> str:
    """A name reduced to its initials ("María Flores" -> "M. F.")."""
    return " ".join(f"{part[0].upper()}." for part in (name or "").split() if part[0].isalpha())
