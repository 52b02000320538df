"""The ST's branches (counters): where cases are served from, with their staff and routes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, utcnow


class Branch(db.Model):
    """A counter of the ST (San Isidro, San Luis): identity, address and point on the map."""

    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(250))
    ubigeo: Mapped[str] = mapped_column(String(6))
    lat: Mapped[float]
    lon: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def point(self) -> tuple[float, float]:
        """Where deadlines' distances are measured from."""
        return (self.lat, self.lon)
