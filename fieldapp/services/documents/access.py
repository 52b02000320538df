"""Reading issued documents: who may download which, the public lookup, the case's list."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Document, Job, Route, User
from fieldapp.services.documents.issuing import SHORT_CODE_LENGTH

STAFF_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.TECHNICIAN})


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


def can_download(document: Document, user: User) -> bool:
    """Staff see every document; a courier only those of stops they closed and their own route
    sheets."""
    if user.role in STAFF_ROLES:
        return True
    if user.role is not Role.COURIER:
        return False
    if document.job_id is not None:
        job = db.session.get(Job, document.job_id)
        return job is not None and job.completed_by_id == user.id
    if document.route_id is not None:
        route = db.session.get(Route, document.route_id)
        return route is not None and route.courier_id == user.id
    return False


def initials(name: str | None) -> str:
    """A name reduced to its initials ("María Flores" -> "M. F.")."""
    return " ".join(f"{part[0].upper()}." for part in (name or "").split() if part[0].isalpha())
