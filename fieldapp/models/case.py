"""The warranty case, from the Call Center's case number to closure, and its deadlines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.domain.case_flow import TERMINAL, Flow, Origin, Status
from fieldapp.domain.geo import Zone
from fieldapp.domain.warranty import CaseKind
from fieldapp.extensions import db
from fieldapp.models.branch import Branch
from fieldapp.models.party import Customer, Store
from fieldapp.models.programme import Programme
from fieldapp.models.types import UTCDateTime, str_enum, utcnow
from fieldapp.models.unit import Unit

_TERMINAL_SQL = ", ".join(f"'{status.value}'" for status in sorted(TERMINAL))
OPEN_CASE_WHERE = text(f"status NOT IN ({_TERMINAL_SQL})")


class Case(db.Model):
    """A warranty case: one unit, one customer, one flow; changed only through the flow table."""

    __tablename__ = "warranty_case"
    __table_args__ = (
        # One open case per unit, held by the database rather than a check-then-insert.
        Index(
            "uq_case_open_unit",
            "unit_id",
            unique=True,
            sqlite_where=OPEN_CASE_WHERE,
            postgresql_where=OPEN_CASE_WHERE,
        ),
        Index("ix_case_status", "status"),
        Index("ix_case_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    # The branch that serves the case: its deadlines' distances are measured from it.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    origin: Mapped[Origin] = mapped_column(str_enum(Origin))
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind))
    flow: Mapped[Flow] = mapped_column(str_enum(Flow))
    status: Mapped[Status] = mapped_column(str_enum(Status))
    # Where the ST goes (the customer's or the store's district) and how far it is.
    ubigeo: Mapped[str] = mapped_column(String(6))
    zone: Mapped[Zone] = mapped_column(str_enum(Zone))
    distance_km: Mapped[float | None]
    distance_band: Mapped[int | None]
    purchase_date: Mapped[date] = mapped_column(Date)
    failure_date: Mapped[date] = mapped_column(Date)
    proof_type: Mapped[str | None] = mapped_column(String(16))
    proof_number: Mapped[str | None] = mapped_column(String(40))
    refilled_cartridges: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    # The unit's model as this case stated it: what the statement bills, whatever a later case
    # writes into the unit's own (free-text) model.
    unit_model: Mapped[str | None] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    repaired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    programme: Mapped[Programme] = relationship()
    branch: Mapped[Branch | None] = relationship()
    unit: Mapped[Unit] = relationship()
    customer: Mapped[Customer] = relationship()
    store: Mapped[Store | None] = relationship()
    deadlines: Mapped[list[CaseDeadline]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseDeadline.due_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        """Whether the case still needs work."""
        return self.status not in TERMINAL


class CaseDeadline(db.Model):
    """One deadline of a case (swap, pickup, repair, return) and when it was met."""

    __tablename__ = "case_deadline"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warranty_case.id"))
    name: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the at-risk warning went out (once per deadline).
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="deadlines")
