"""Kodak's stock at the ST: units by service number, every movement, and parts from DOA units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.domain.stock import MovementKind, PartStatus, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


class StockUnit(db.Model):
    """One unit in Kodak's stock at the ST (new, exchange, or a collected DOA unit)."""

    __tablename__ = "stock_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    service_number: Mapped[str] = mapped_column(String(20), unique=True)
    model: Mapped[str | None] = mapped_column(String(60))
    model_family: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[StockCategory] = mapped_column(str_enum(StockCategory))
    status: Mapped[StockStatus] = mapped_column(str_enum(StockStatus), index=True)
    reserved_for_job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    movements: Mapped[list[StockMovement]] = relationship(
        back_populates="unit", order_by="StockMovement.at"
    )

    __mapper_args__ = {"version_id_col": version}


class StockMovement(db.Model):
    """A unit in or out, or a change of its state; never edited, only added."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_unit_id: Mapped[int | None] = mapped_column(ForeignKey("stock_unit.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("spare_part.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # A credit at sale names a unit that never entered the ST's stock.
    service_number: Mapped[str | None] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    unit: Mapped[StockUnit | None] = relationship(back_populates="movements")


class SparePart(db.Model):
    """A usable part recorded from a DOA unit turned parts donor, until a repair uses it."""

    __tablename__ = "spare_part"
    __table_args__ = (
        CheckConstraint("(status = 'used') = (used_in_case_id IS NOT NULL)", name="used_has_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_unit_id: Mapped[int] = mapped_column(ForeignKey("stock_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[PartStatus] = mapped_column(str_enum(PartStatus), default=PartStatus.AVAILABLE)
    used_in_case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    donor: Mapped[StockUnit] = relationship()

    __mapper_args__ = {"version_id_col": version}
