"""The public tracking page's facts: plain words after a failed visit, the new visit once it is
published, and the ST's contact from the settings."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from fieldapp.domain.jobs import FailureReason, JobKind, JobStatus
from fieldapp.domain.shipments import JobMode
from fieldapp.extensions import db
from fieldapp.models import Route
from fieldapp.models.types import utcnow
from fieldapp.services.cases import tracking, visits
from tests import factories
from tests.factories import doa_case


def test_failure_in_plain_words_with_lima_time():
    job = SimpleNamespace(
        kind=JobKind.PICKUP,
        mode=JobMode.COURIER,
        failure_reason=FailureReason.WRONG_ADDRESS,
        completed_at=datetime(2026, 12, 2, 15, 40, tzinfo=UTC),  # 10:40 in Lima
        arrived_at=None,
    )
    assert tracking.failure_words(job) == (
        "El 02/12 a las 10:40 nuestro courier fue a recoger su equipo, pero no pudo encontrar "
        "la dirección que tenemos registrada."
    )
    job.failure_reason, job.completed_at, job.kind = None, None, JobKind.RETURN
    assert tracking.failure_words(job) == (
        "Nuestro courier fue a entregarle su equipo reparado, pero no se pudo completar la visita."
    )


def test_contact_comes_from_the_settings(app):
    found = tracking.contact("KCC-1", "Rosa")
    assert found.tel_url == "tel:014221234" and found.whatsapp == "+51999888777"
    assert "KCC-1" in found.whatsapp_url
    app.config.update(ST_PHONE="", ST_WHATSAPP="")
    assert tracking.contact("KCC-1", "Rosa") is None


def _planned(job, courier, day):
    route = Route(courier=courier, day=day, published_at=utcnow())
    db.session.add(route)
    route.jobs.append(job)
    job.status, job.sequence = JobStatus.PLANNED, 1
    job.eta = utcnow() + timedelta(days=(day - utcnow().date()).days)
    job.tracking_token = secrets.token_urlsafe(32)
    db.session.flush()
    visits.on_publish(route, courier)
    return job


def test_after_a_failure_the_new_published_visit_is_shown(app):
    courier = factories.user("courier")
    case = doa_case()
    first = _planned(visits.open_job(case), courier, utcnow().date())
    visits.fail(first, courier, FailureReason.NOT_HOME, has_photo=True)
    seen = tracking.find(first.tracking_token)
    assert seen.state == "failed" and "no encontró a nadie" in seen.failure
    assert seen.next_window is None and seen.eta is None
    second = _planned(visits.open_job(case), courier, utcnow().date() + timedelta(days=1))
    seen = tracking.find(first.tracking_token)
    assert seen.next_window == tracking.visit_window(second)
