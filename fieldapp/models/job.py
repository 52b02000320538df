"""Jobs (stops): each visit the ST makes to move a unit, with its proof of delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models.case import Case
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


class Job(db.Model):
    """One stop: where, by when, what to carry, and what the courier recorded there."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.PENDING)
    # A courier's stop, or sent by carrier (see Shipment).
    mode: Mapped[JobMode] = mapped_column(
        str_enum(JobMode), default=JobMode.COURIER, server_default=JobMode.COURIER.value
    )
    attempt: Mapped[int] = mapped_column(default=1)
    # Where: the customer's or store's address; a point captured on a visit beats the gazetteer.
    address: Mapped[str | None] = mapped_column(String(250))
    ubigeo: Mapped[str] = mapped_column(String(6))
    lat: Mapped[float]
    lon: Mapped[float]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_minutes: Mapped[int] = mapped_column(default=15)
    units_out: Mapped[int] = mapped_column(default=0)
    units_in: Mapped[int] = mapped_column(default=0)
    # Plan.
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"), index=True)
    sequence: Mapped[int | None]
    trip_day: Mapped[int | None]  # on a multi-day trip: the day of the visit (0 = the first)
    locked: Mapped[bool] = mapped_column(default=False)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The customer's public tracking page /t/<token> (made when the visit is first published).
    tracking_token: Mapped[str | None] = mapped_column(String(43), unique=True)
    # Proof of delivery (server time, and the phone's time beside it).
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrival_lat: Mapped[float | None]
    arrival_lon: Mapped[float | None]
    arrival_accuracy_m: Mapped[float | None]
    checked_service_number: Mapped[str | None] = mapped_column(String(20))
    replacement_service_number: Mapped[str | None] = mapped_column(String(20))
    refilled_cartridges: Mapped[bool | None]
    accessories: Mapped[str | None] = mapped_column(String(250))
    signer_name: Mapped[str | None] = mapped_column(String(160))
    signer_document_id: Mapped[str | None] = mapped_column(String(20))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    failure_reason: Mapped[FailureReason | None] = mapped_column(str_enum(FailureReason))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    # Review.
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}
