"""Issued documents (PDF): gap-free numbering per series, frozen bytes, and the issue queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


class DocType(StrEnum):
    """The kinds of document the ST issues; each has its own numbering series."""

    DOA_DELIVERY = "doa_delivery"
    PICKUP_RECEIPT = "pickup_receipt"
    RECEPTION_RECEIPT = "reception_receipt"
    REPAIR_DELIVERY = "repair_delivery"
    ROUTE_SHEET = "route_sheet"
    FAILED_VISIT = "failed_visit"


# Series prefix printed in the number, e.g. NE-2026-000123.
DOC_PREFIX: dict[DocType, str] = {
    DocType.DOA_DELIVERY: "NE",
    DocType.PICKUP_RECEIPT: "CR",
    DocType.RECEPTION_RECEIPT: "RC",
    DocType.REPAIR_DELIVERY: "NR",
    DocType.ROUTE_SHEET: "HR",
    DocType.FAILED_VISIT: "VF",
}

DOC_TITLES: dict[DocType, str] = {
    DocType.DOA_DELIVERY: "Nota de entrega – cambio DOA",
    DocType.PICKUP_RECEIPT: "Constancia de recojo",
    DocType.RECEPTION_RECEIPT: "Constancia de recepción",
    DocType.REPAIR_DELIVERY: "Nota de entrega – equipo reparado",
    DocType.ROUTE_SHEET: "Hoja de ruta",
    DocType.FAILED_VISIT: "Constancia de visita fallida",
}


class DocumentSeries(db.Model):
    """The last number taken in one series (type and year); bumped by an UPDATE that locks it."""

    __tablename__ = "document_series"
    __table_args__ = (UniqueConstraint("doc_type", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class Document(db.Model):
    """An issued PDF: its number, its frozen bytes (by SHA-256) and what it is about.

    Never changed after issue except for `superseded_by_id`, set when a newer issue replaces it.
    """

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("doc_type", "year", "sequence"),
        Index("ix_document_case_id", "case_id"),
        Index("ix_document_route_id", "route_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType))
    year: Mapped[int]
    sequence: Mapped[int]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"))
    # One document per request: a second worker issuing the same request fails to insert.
    request_id: Mapped[int] = mapped_column(ForeignKey("document_request.id"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    token: Mapped[str] = mapped_column(String(43), unique=True)
    short_code: Mapped[str] = mapped_column(String(12), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))

    supersedes: Mapped[Document | None] = relationship(
        foreign_keys=[supersedes_id], remote_side=[id]
    )
    superseded_by: Mapped[Document | None] = relationship(
        foreign_keys=[superseded_by_id], remote_side=[id]
    )

    @property
    def title(self) -> str:
        """The document's Spanish title."""
        return DOC_TITLES[self.doc_type]

    @property
    def is_valid(self) -> bool:
        """Whether no newer issue has replaced it."""
        return self.superseded_by_id is None


class DocumentRequest(db.Model):
    """A document to issue, queued in the business transaction; issued (and retried) after it."""

    __tablename__ = "document_request"
    __table_args__ = (Index("ix_document_request_due", "done_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"))
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"))
    # The document this one replaces (no foreign key: document already points here).
    supersedes_id: Mapped[int | None]
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
