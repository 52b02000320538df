"""Units (the customer's printer), identified by their service number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class Unit(db.Model):
    """A customer's all-in-one; the service number (not the serial) is what counts."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_number: Mapped[str] = mapped_column(String(20), unique=True)
    model_family: Mapped[str | None] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(60))
    service_number_flag: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
