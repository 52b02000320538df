"""The workshop's record of a warranty repair: reception, diagnosis, notes, exchange, collection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.extensions import db
from fieldapp.models.case import Case
from fieldapp.models.stock import StockUnit
from fieldapp.models.types import UTCDateTime, utcnow


class Repair(db.Model):
    """One case's repair at the ST: who received it, what was found, how it left."""

    __tablename__ = "repair"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warranty_case.id"), unique=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accessories: Mapped[str | None] = mapped_column(String(250))
    condition: Mapped[str | None] = mapped_column(String(250))
    diagnosis: Mapped[str | None] = mapped_column(Text)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The unit could not be repaired: the customer gets this exchange unit instead.
    exchange_unit_id: Mapped[int | None] = mapped_column(ForeignKey("stock_unit.id"))
    # Collection at the counter (Lima): who signed for the unit.
    collected_by_name: Mapped[str | None] = mapped_column(String(160))
    collected_by_document_id: Mapped[str | None] = mapped_column(String(20))
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    exchange_unit: Mapped[StockUnit | None] = relationship()
    notes: Mapped[list[RepairNote]] = relationship(
        back_populates="repair", cascade="all, delete-orphan", order_by="RepairNote.at"
    )

    __mapper_args__ = {"version_id_col": version}


class RepairNote(db.Model):
    """A technician's note on a repair; only ever added."""

    __tablename__ = "repair_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repair.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    repair: Mapped[Repair] = relationship(back_populates="notes")
