"""The people and places the ST deals with: customers and retail stores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class Customer(db.Model):
    """Owner or end user of a unit; personal data (Ley 29733) lives only here."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    document_id: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(250))
    ubigeo: Mapped[str | None] = mapped_column(String(6))
    # A point captured on a visit beats the district's gazetteer point.
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def first_name(self) -> str:
        """First word of the name (all a public tracking page may show)."""
        return self.name.split()[0] if self.name else ""


class Store(db.Model):
    """A retail store that sold units and may swap or hand them over."""

    __tablename__ = "store"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(String(250))
    ubigeo: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(32))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
