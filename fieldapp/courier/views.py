"""Courier pages: today's published route and the stop screen (the steps run in the browser and
reach the server through the offline queue, see courier/sync.py)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from flask import abort, render_template, url_for
from flask_login import current_user

from fieldapp.courier import bp
from fieldapp.domain import jobs as job_rules
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Gazetteer
from fieldapp.models import Job
from fieldapp.services import courier_route


def _phone_digits(phone: str | None) -> str | None:
    """A Peruvian phone as international digits for wa.me (mobiles: 9 digits starting 9)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 9 and digits.startswith("9"):
        return "51" + digits
    return digits if len(digits) >= 11 else None


def stop_links(job: Job) -> dict:
    """Call, WhatsApp and navigation links for a stop."""
    party = job.case.store if job.kind.value.startswith("store") and job.case.store else None
    party = party or job.case.customer
    phone = party.phone
    digits = _phone_digits(phone)
    who = current_user.full_name.split()[0] if current_user.full_name else "su courier"
    brand = job.case.programme.brand
    text = (
        f"Hola {party.name.split()[0]}, le saluda {who} del servicio técnico {brand}. "
        f"Estoy en camino para la visita del caso {job.case.case_number}."
    )
    return {
        "name": party.name,
        "tel": f"tel:{phone}" if phone else None,
        "whatsapp": f"https://wa.me/{digits}?text={quote(text)}" if digits else None,
        "maps": f"https://www.google.com/maps/dir/?api=1&destination={job.lat},{job.lon}",
        "waze": f"https://waze.com/ul?ll={job.lat},{job.lon}&navigate=yes",
        "district": Gazetteer.default().require(job.ubigeo).district.title(),
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
    return render_template(
        "courier/index.html", route=route, today=today, stops=stops, done=done, stop_urls=urls
    )


@bp.get("/stops/<int:job_id>")
def stop(job_id: int):
    """One stop with the steps its kind needs before it can be closed.

    :raises NotFound: (404) when the stop is not on a route published to this courier.
    """
    job = courier_route.stop_for(current_user, job_id)
    if job is None:
        abort(404)
    return render_template(
        "courier/stop.html",
        job=job,
        links=stop_links(job),
        urgency=courier_route.urgency_of(job),
        state=courier_route.stop_state(job),
        photo_purposes=PHOTO_CHOICES,
        failure_reasons=job_rules.FAILURE_LABELS,
        photo_reasons=" ".join(r.value for r in job_rules.FAILURE_NEEDS_PHOTO),
    )


PHOTO_CHOICES = {
    "proof_of_purchase": "Comprobante de compra",
    "unit_condition": "Estado del equipo",
    "store_voucher": "Voucher de la tienda",
    "failed_attempt": "Prueba de visita fallida",
}

from fieldapp.courier import sync  # noqa: E402, F401  (registers POST /courier/sync)
