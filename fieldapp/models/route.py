"""Couriers' vehicles and days, and the routes dispatch plans for them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.extensions import db
from fieldapp.models.job import Job
from fieldapp.models.types import UTCDateTime, utcnow
from fieldapp.models.user import User

# The vehicles a courier may have, with their Spanish names (pages and route sheets).
VEHICLE_LABELS = {"motorcycle": "Moto", "car": "Auto", "van": "Furgoneta"}


class CourierProfile(db.Model):
    """A courier's base, shift and vehicle (capacity in units)."""

    __tablename__ = "courier_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    base_name: Mapped[str] = mapped_column(String(120))
    base_lat: Mapped[float]
    base_lon: Mapped[float]
    vehicle: Mapped[str] = mapped_column(String(20))  # motorcycle, car, van
    capacity: Mapped[int]
    shift_start: Mapped[time] = mapped_column(Time)
    shift_end: Mapped[time] = mapped_column(Time)

    user: Mapped[User] = relationship()


class CourierAvailability(db.Model):
    """Whether a courier works on a date (absent means available on business days)."""

    __tablename__ = "courier_availability"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    day: Mapped[date] = mapped_column(Date)
    available: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(200))


class Route(db.Model):
    """One courier's ordered stops for one day; couriers see it once published."""

    __tablename__ = "route"
    __table_args__ = (UniqueConstraint("courier_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))  # the courier's
    day: Mapped[date] = mapped_column(Date, index=True)  # the first day of a multi-day trip
    # A hub courier's trip spans several days with overnight stops (1: a day's route).
    days: Mapped[int] = mapped_column(default=1, server_default="1")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when dispatch changes a published route, so the courier is told; cleared on publish.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distance_km: Mapped[float | None]
    duration_minutes: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    courier: Mapped[User] = relationship()
    jobs: Mapped[list[Job]] = relationship(order_by="Job.sequence")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_published(self) -> bool:
        """Whether the courier can see this route."""
        return self.published_at is not None


class UnplannedJob(db.Model):
    """Why the day's last plan left a job off every route; kept with the plan so the job's card
    shows it until the next plan (whoever runs the optimiser writes it)."""

    __tablename__ = "unplanned_job"
    __table_args__ = (UniqueConstraint("day", "job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # routing.UnplannedReason value
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
