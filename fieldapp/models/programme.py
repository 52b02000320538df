"""Warranty programmes (Kodak inkjet first, other brands beside it) and their settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.domain.service_number import KODAK, NumberRules
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
    # Service-number format (regular expression on the normalised number), an example for
    # messages, and the model family of each prefix.
    service_number_pattern: Mapped[str] = mapped_column(
        String(120), default=KODAK.pattern, server_default=KODAK.pattern
    )
    service_number_example: Mapped[str] = mapped_column(
        String(20), default=KODAK.example, server_default=KODAK.example
    )
    model_families: Mapped[dict] = mapped_column(
        JSON, default=lambda: dict(KODAK.families), server_default="{}"
    )
    # Where customers with products the programme does not cover are sent (None: the app's
    # FIELDAPP_CAMERA_CENTRES).
    referral_centres: Mapped[list | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def number_rules(self) -> NumberRules:
        """The programme's service-number format as the domain takes it."""
        return NumberRules(
            pattern=self.service_number_pattern,
            example=self.service_number_example,
            families=dict(self.model_families or {}),
        )


class DistrictBandOverride(db.Model):
    """A distance band set by hand for a district, replacing the computed one."""

    __tablename__ = "district_band_override"

    ubigeo: Mapped[str] = mapped_column(String(6), primary_key=True)
    band: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(200))
