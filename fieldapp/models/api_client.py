"""Integrations that call the API with a bearer key (the Call Center)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.extensions import db
from fieldapp.models.programme import Programme
from fieldapp.models.types import UTCDateTime, utcnow


def hash_key(key: str) -> str:
    """SHA-256 of an API key: keys are long random strings, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(db.Model):
    """An integration allowed to call /api/v1; only the key's hash is stored."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8))
    # The programme whose cases this client sends (each Call Center is one brand's).
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # What the key may read: the cases it opened, and every case of this programme if granted
    # (the manufacturer's Call Center); never another client's cases otherwise.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    programme: Mapped[Programme | None] = relationship()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme | None] = relationship()

    def set_key(self, key: str | None = None) -> str:
        """Set (or generate) the key and return it; it cannot be read back later."""
        key = key or secrets.token_urlsafe(32)
        self.key_hash = hash_key(key)
        self.key_prefix = key[:8]
        return key

    @classmethod
    def by_key(cls, key: str) -> ApiClient | None:
        """The active client whose key this is, if any."""
        stmt = select(cls).where(cls.key_hash == hash_key(key), cls.active.is_(True))
        return db.session.scalar(stmt)
