"""Courier pages: today's published route and the stop screen (the steps run in the browser and
reach the server through the offline queue, see courier/sync.py)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, url_for
from flask_login import current_user

from fieldapp.courier import bp
from fieldapp.domain import jobs
from fieldapp.domain import stop_contact as contact
from fieldapp.domain.attachments import PHOTO_LABELS
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.service_number import browser_rule
from fieldapp.models import Job
from fieldapp.services import access
from fieldapp.services.cases import places
from fieldapp.services.courier import route as courier_route
from fieldapp.services.dispatch import publishing


def stop_links(job: Job) -> dict:
    """Call, WhatsApp and navigation links for a stop (to its street address, or to the point
    known for it; never to the district's centre)."""
    party = places.party_of(job)
    district = Gazetteer.default().require(job.ubigeo)
    place = contact.Place(
        address=job.address or party.address,
        district=district.district.title(),
        city=district.province.title(),
        point=places.known_point(job),
    )
    who = current_user.full_name.split()[0] if current_user.full_name else "su courier"
    text = contact.whatsapp_text(
        recipient=party.name,
        courier=who,
        st_name=current_app.config["ST_NAME"],
        case_number=job.case.case_number,
        window=publishing.visit_window(job),
        tracking_url=publishing.tracking_url(job),
    )
    return {
        "name": party.name,
        "tel": contact.tel_url(party.phone),
        "whatsapp": contact.whatsapp_url(party.phone, text),
        "maps": contact.maps_url(place),
        "waze": contact.waze_url(place),
        "district": place.district,
        "city": place.city,
    }


@bp.get("/")
def index():
    """Today's route of the logged-in courier, once dispatch has published it."""
    today = datetime.now(LIMA_TZ).date()
    route = courier_route.todays_route(current_user, today)
    stops = [
        (job, stop_links(job), courier_route.urgency_of(job))
        for job in (route.jobs if route else [])
    ]
    done = sum(1 for job, _, _ in stops if job.status.value not in ("planned", "in_progress"))
    urls = [url_for("courier.stop", job_id=job.id) for job, _, _ in stops]
    attention = courier_route.needs_attention([job for job, _, _ in stops])
    return render_template(
        "courier/index.html",
        route=route,
        today=today,
        stops=stops,
        done=done,
        stop_urls=urls,
        attention=attention,
    )


@bp.get("/stops/<int:job_id>")
def stop(job_id: int):
    """One stop with the steps its kind needs before it can be closed.

    :raises NotFound: (404) when the stop is not on a route published to this courier.
    """
    job = access.stop_or_404(current_user, job_id)
    following = courier_route.next_stop(job)
    return render_template(
        "courier/stop.html",
        job=job,
        next_url=url_for("courier.stop", job_id=following.id) if following else None,
        links=stop_links(job),
        urgency=courier_route.urgency_of(job),
        state=courier_route.stop_state(job),
        photo_labels=PHOTO_LABELS,
        number_rule=browser_rule(job.case.programme.number_rules),
        failure_reasons=jobs.FAILURE_LABELS,
        photo_reasons=" ".join(r.value for r in jobs.FAILURE_NEEDS_PHOTO),
    )


from fieldapp.courier import sync  # noqa: E402, F401  (registers POST /courier/sync)
