"""Stored files: what kind each is, what it proves, and the one name of every photo.

The single place for attachment purposes: the model column, the courier's phone, the carrier
reception form, the review screens and the messages all take the purposes and their Spanish
names from here. A new purpose is a member of `AttachmentPurpose` plus, for a photo, an entry
in `PHOTO_LABELS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class PhotoLabel:
    """How a photo is named in Spanish: `name` after "Foto: " (steps, notes), `phrase` where the
    photo itself is meant ("tomar la foto del …", form fields, captions)."""

    name: str
    phrase: str


PHOTO_LABELS: dict[AttachmentPurpose, PhotoLabel] = {
    AttachmentPurpose.PROOF_OF_PURCHASE: PhotoLabel(
        "comprobante de compra", "foto del comprobante de compra"
    ),
    AttachmentPurpose.UNIT_CONDITION: PhotoLabel("estado del equipo", "foto del estado del equipo"),
    AttachmentPurpose.STORE_VOUCHER: PhotoLabel(
        "voucher de la tienda", "foto del voucher de la tienda"
    ),
    AttachmentPurpose.FAILED_ATTEMPT: PhotoLabel(
        "prueba de la visita", "foto que pruebe la visita"
    ),
    AttachmentPurpose.WAYBILL: PhotoLabel("guía de la agencia", "foto de la guía de la agencia"),
    AttachmentPurpose.RECEIVER_SIGNATURE: PhotoLabel(
        "firma de quien recibió", "firma de quien recibió (devuelta por la agencia)"
    ),
}

# Photos a courier takes on the phone (a stop's required photos, and the failed visit's proof).
COURIER_PHOTOS: tuple[AttachmentPurpose, ...] = (
    AttachmentPurpose.PROOF_OF_PURCHASE,
    AttachmentPurpose.UNIT_CONDITION,
    AttachmentPurpose.STORE_VOUCHER,
    AttachmentPurpose.FAILED_ATTEMPT,
)
# Photos dispatch uploads when a unit sent by carrier is received (the stop's photos).
RECEPTION_PHOTOS: tuple[AttachmentPurpose, ...] = (
    AttachmentPurpose.PROOF_OF_PURCHASE,
    AttachmentPurpose.UNIT_CONDITION,
    AttachmentPurpose.STORE_VOUCHER,
)


def photo_phrase(purpose: str) -> str:
    """The photo of `purpose` as a phrase ("foto del comprobante de compra"); the raw value for
    a purpose that has no photo name."""
    label = PHOTO_LABELS.get(purpose)  # a StrEnum member and its str value are the same key
    return label.phrase if label else str(purpose)
