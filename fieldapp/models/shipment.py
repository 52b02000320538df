"""Carrier shipments: a job's unit sent through a cargo/courier agency, with its waybill."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.domain.shipments import Direction, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models.job import Job
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


class Shipment(db.Model):
    """One leg sent by an agency: carrier, waybill, branch, units, cost, and when each state
    was reached (a DOA swap's two legs point at each other through `linked_id`)."""

    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    direction: Mapped[Direction] = mapped_column(str_enum(Direction))
    status: Mapped[ShipmentStatus] = mapped_column(
        str_enum(ShipmentStatus), default=ShipmentStatus.BOOKED
    )
    carrier: Mapped[str] = mapped_column(String(60))
    waybill: Mapped[str | None] = mapped_column(String(40), index=True)
    agency_branch: Mapped[str | None] = mapped_column(String(160))
    declared_units: Mapped[int] = mapped_column(default=1)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    linked_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    in_transit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who received it at the other end, where the agency returns it.
    receiver_name: Mapped[str | None] = mapped_column(String(160))
    receiver_document_id: Mapped[str | None] = mapped_column(String(20))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    job: Mapped[Job] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def reached_at(self, status: ShipmentStatus) -> datetime | None:
        """When the shipment reached `status` (None if it has not)."""
        return getattr(self, f"{status.value}_at")
