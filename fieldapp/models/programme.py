"""Warranty programmes (Kodak inkjet first) and their settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class Programme(db.Model):
    """A manufacturer's warranty programme the ST serves, with its rules as settings."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    brand: Mapped[str] = mapped_column(String(60))
    doa_days: Mapped[int] = mapped_column(default=30)
    warranty_months: Mapped[int] = mapped_column(default=12)
    case_admin_email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DistrictBandOverride(db.Model):
    """A distance band set by hand for a district, replacing the computed one."""

    __tablename__ = "district_band_override"

    ubigeo: Mapped[str] = mapped_column(String(6), primary_key=True)
    band: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(200))
