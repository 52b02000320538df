"""Files attached to cases and jobs: photos, signatures and issued documents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow


class AttachmentKind(StrEnum):
    """What kind of file it is."""

    PHOTO = "photo"
    SIGNATURE = "signature"
    DOCUMENT = "document"


class AttachmentPurpose(StrEnum):
    """What the file proves."""

    PROOF_OF_PURCHASE = "proof_of_purchase"
    UNIT_CONDITION = "unit_condition"
    STORE_VOUCHER = "store_voucher"
    FAILED_ATTEMPT = "failed_attempt"
    WAYBILL = "waybill"  # a carrier's waybill (guía de remisión / de envío)
    # The receiving party's signature as the agency returns it (a photo of the signed copy).
    RECEIVER_SIGNATURE = "receiver_signature"
    SIGNATURE = "signature"
    DOCUMENT = "document"


class Attachment(db.Model):
    """A stored file, named by its content hash, kept outside the web root."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warranty_case.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipment.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind))
    purpose: Mapped[AttachmentPurpose] = mapped_column(str_enum(AttachmentPurpose))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def storage_name(self) -> str:
        """The file's key in the media store (its path under a media folder), from its hash."""
        from fieldapp.infra.media import relative_name

        return relative_name(self.sha256, self.content_type)
