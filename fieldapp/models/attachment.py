"""Files attached to cases and jobs: photos, signatures and issued documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldapp.domain.attachments import AttachmentKind, AttachmentPurpose
from fieldapp.extensions import db
from fieldapp.models.types import UTCDateTime, str_enum, utcnow

# The file extension of each content type a stored file may have (its key ends with it).
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def relative_name(sha256: str, content_type: str) -> str:
    """A stored file's key in the media store (`ab/<sha256>.<ext>`): named from the content's
    hash, never by the user. Pure, so the model needs nothing of the media store."""
    return f"{sha256[:2]}/{sha256}.{EXTENSIONS.get(content_type, 'bin')}"


# AttachmentKind and AttachmentPurpose (with the photos' names) live in fieldapp.domain.attachments.


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
        return relative_name(self.sha256, self.content_type)
