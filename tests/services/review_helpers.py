"""Helpers to bring a case's job to 'done, waiting for review' the way the courier would."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.models import Attachment, Job, Route
from fieldapp.models.types import utcnow
from fieldapp.services.cases import visits
from tests import factories


def attach(job: Job, kind: str, purpose: str) -> None:
    db.session.add(
        Attachment(
            case_id=job.case_id,
            job_id=job.id,
            kind=kind,
            purpose=purpose,
            sha256=("0" if kind == "photo" else "1") * 64,
            content_type="image/jpeg" if kind == "photo" else "image/png",
            size_bytes=10,
        )
    )


def plan_job(case, courier, day) -> tuple[Job, Route]:
    """Put the case's open job last on the courier's route of `day` (made if missing)."""
    job = visits.open_job(case)
    route = db.session.scalar(select(Route).where(Route.courier_id == courier.id, Route.day == day))
    if route is None:
        route = Route(courier=courier, day=day)
        db.session.add(route)
    route.jobs.append(job)
    job.status, job.sequence = JobStatus.PLANNED, len(route.jobs)
    db.session.flush()
    return job, route


def close_job(case, courier, *, lat=None, lon=None, checked=None, skew_minutes=0) -> Job:
    """Plan, arrive, record full evidence and complete the case's open job."""
    job, route = plan_job(case, courier, factories.days_ago(0))
    visits.on_publish(route, courier)
    if lat is None:
        lat, lon = job.lat, job.lon
    now = utcnow()
    device = now + timedelta(minutes=skew_minutes)
    visits.arrive(job, courier, at=now, device_at=device, lat=lat, lon=lon, accuracy_m=10)
    for purpose in job_photos(job):
        attach(job, "photo", purpose)
    attach(job, "signature", "signature")
    job.checked_service_number = checked or case.unit.service_number
    job.replacement_service_number = "C765432"
    job.refilled_cartridges = False
    job.signer_name, job.signer_document_id = "María Flores", "45678912"
    db.session.flush()
    visits.complete(job, courier, at=now, device_at=device)
    db.session.commit()
    return job


def job_photos(job: Job) -> tuple[str, ...]:
    from fieldapp.domain.jobs import REQUIRED_PHOTOS

    return REQUIRED_PHOTOS[job.kind]


def doa_case(**overrides):
    return factories.case(purchase_date=factories.days_ago(5), **overrides)
