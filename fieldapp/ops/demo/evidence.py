"""Demo evidence: photos and signatures of closed visits, and the far jobs sent by carrier with
their waybills."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import select

from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.shipments import LEGS, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import (
    Attachment,
    Job,
    User,
)
from fieldapp.services.dispatch import carrier_actions

# Far provinces no courier reaches within a shift: Iquitos (no road) and Cusco go by agency.
FAR_CARRIERS = {
    "160101": ("Shalom", "Shalom Iquitos, Av. Quiñones 1200"),
    "080101": ("Olva Courier", "Olva Cusco, Av. de la Cultura 820"),
}


def ship_far_jobs(rng, users: dict[str, User], now: datetime) -> None:
    """Jobs waiting in Iquitos and Cusco are sent by agency with waybills (deadlines as any
    job's); the first of them is already handed over and travelling."""
    waiting = db.session.scalars(
        select(Job)
        .where(Job.status == JobStatus.PENDING, Job.ubigeo.in_(list(FAR_CARRIERS)))
        .order_by(Job.due_at)
    ).all()
    dispatcher = users["dispatcher"]
    for index, job in enumerate(waiting):
        carrier, branch = FAR_CARRIERS[job.ubigeo]
        prefix = "SH" if carrier == "Shalom" else "OL"
        legs = LEGS[job.kind]
        made = carrier_actions.book(
            job,
            carrier_actions.Booking(
                carrier=carrier,
                agency_branch=branch,
                declared_units=1,
                cost=Decimal("38.00") + len(legs) * 7,
                waybills={legs[0]: f"{prefix}-{rng.randint(1000000, 9999999)}"},
            ),
            dispatcher,
        )
        if index == 0:
            photo, _type, _size = demo_picture((200, 190, 150), "guia")
            for status, hours in ((ShipmentStatus.HANDED_OVER, 3), (ShipmentStatus.IN_TRANSIT, 1)):
                carrier_actions.advance(
                    made[0],
                    carrier_actions.Move(
                        status, at=now - timedelta(hours=hours), waybill_photo=photo
                    ),
                    dispatcher,
                )
                photo = None


def demo_evidence(job: Job, courier: User) -> None:
    """Photos and a signature for a closed demo stop, drawn with Pillow, stored like uploads."""
    colour = (60 + job.id * 37 % 160, 90, 140)
    files = [(purpose, "photo", demo_picture(colour, purpose)) for purpose in photos_for(job)]
    files.append(("signature", "signature", demo_signature(job.signer_name or "")))
    for purpose, kind, (data, content_type, size) in files:
        db.session.add(
            Attachment(
                case_id=job.case_id,
                job_id=job.id,
                kind=kind,
                purpose=purpose,
                sha256=media.store(data, content_type),
                content_type=content_type,
                size_bytes=len(data),
                width=size[0],
                height=size[1],
                uploaded_by_id=courier.id,
            )
        )


def photos_for(job: Job) -> tuple[str, ...]:
    from fieldapp.domain.jobs import REQUIRED_PHOTOS

    return REQUIRED_PHOTOS[job.kind] or ("unit_condition",)


def demo_picture(colour, label: str):
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 140, 520, 360), outline=(255, 255, 255), width=6)
    draw.text((140, 160), label.replace("_", " "), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue(), "image/jpeg", image.size


def demo_signature(name: str):
    image = Image.new("RGB", (480, 180), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    points = [(30 + k * 14, 110 - (k * 37 % 50)) for k in range(30)]
    draw.line(points, fill=(20, 30, 90), width=3)
    draw.text((30, 150), name, fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue(), "image/png", image.size
