"""Courier pages, the sync endpoint, media access and the PWA files."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.jobs import JobKind
from fieldapp.domain.roles import Role
from fieldapp.domain.service_number import KODAK, STRIP_PATTERN, browser_rule
from fieldapp.extensions import db
from fieldapp.models import Attachment, SyncAction
from fieldapp.services.cases import intake
from tests import factories
from tests.factories import doa_actions, published_stop, stock_unit
from tests.factories import sync_action as action

ORIGIN = {"Origin": "http://localhost"}


def post_sync(client, body, headers=ORIGIN):
    return client.post(
        "/courier/sync", data=json.dumps(body), headers=headers, content_type="application/json"
    )


def test_the_route_lists_stops_with_contact_and_navigation(client, login, courier):
    job = published_stop(courier)
    login("carlos")
    html = client.get("/courier/").get_data(as_text=True)
    assert "Cambio DOA" in html and "María Flores" in html
    assert "tel:987654321" in html
    assert "https://wa.me/51987654321?text=Hola%20Mar%C3%ADa" in html and "en%20camino" in html
    # To the street address, not to the district's centre (no point is known yet).
    assert "destination=Av.%20Arequipa%201234%2C%20" in html and "waze.com/ul?q=Av." in html
    assert f"{job.lat},{job.lon}" not in html
    assert "<strong>0 hechas</strong>" in html and "1</strong> por hacer" in html
    assert f"/courier/stops/{job.id}" in html and "data-route-cache" in html
    assert "por enviar" in html and "Sincronizar" in html


def _whatsapp_text(html: str) -> str:
    link = re.search(r'href="https://wa.me/\d+\?text=([^"]+)"', html)
    assert link, "no WhatsApp link"
    return unquote(link.group(1).replace("&amp;", "&"))


def test_whatsapp_names_the_st_the_window_and_the_tracking_link(app, client, login, courier):
    app.config["ST_NAME"] = "Servicios Andinos S.A.C."
    job = published_stop(courier)
    start = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in Lima
    job.window_start, job.window_end = start, start + timedelta(hours=2)
    job.tracking_token = "tok-123"
    db.session.commit()
    login("carlos")
    text = _whatsapp_text(client.get("/courier/").get_data(as_text=True))
    assert "le saluda Carlos de Servicios Andinos S.A.C. Estoy en camino" in text
    assert "entre las 10:00 y las 12:00" in text
    assert f"{app.config['PUBLIC_URL']}/t/tok-123" in text
    assert "Kodak" not in text


def test_store_stops_call_and_message_the_store(client, login, courier):
    store = intake.StoreInput(
        name="Tienda Larco", ubigeo="150122", address="Av. Larco 345", phone="945 111 222"
    )
    job = published_stop(courier, origin=Origin.STORE, store=store)
    assert job.kind is JobKind.STORE_SWAP
    login("carlos")
    html = client.get(f"/courier/stops/{job.id}").get_data(as_text=True)
    assert 'href="tel:945111222"' in html and "https://wa.me/51945111222?text=Hola%20Tienda" in html
    assert "987654321" not in html  # not the customer's phone
    assert "destination=Av.%20Larco%20345%2C%20Miraflores%2C%20Lima%2C%20Per%C3%BA" in html


def test_navigation_goes_to_the_addresss_point_when_one_is_known(client, login, courier):
    job = published_stop(courier, customer={"lat": -12.119, "lon": -77.034})
    login("carlos")
    html = client.get(f"/courier/stops/{job.id}").get_data(as_text=True)
    assert "destination=-12.119%2C-77.034" in html and "waze.com/ul?ll=-12.119,-77.034&" in html


def test_the_stop_screen_shows_the_steps_a_doa_swap_needs(client, login, courier):
    job = published_stop(courier)
    login("carlos")
    html = client.get(f"/courier/stops/{job.id}").get_data(as_text=True)
    for step in (
        "Registrar llegada",
        "Equipo nuevo entregado",
        "Foto: Comprobante de compra",
        "Cartuchos y accesorios",
        "data-signature-pad",
        "Firmar y cerrar parada",
        "Visita fallida",
    ):
        assert step in html
    assert f'data-expected="{job.case.unit.service_number}"' in html
    assert 'capture="environment"' in html and "<script>" not in html


def test_the_stop_screen_carries_the_domains_service_number_rule(client, login, courier):
    """The phone's check of a typed or scanned number reads the rule from the page, rendered
    from fieldapp.domain.service_number: the JavaScript keeps no copy of it."""
    job = published_stop(courier)
    login("carlos")
    page = client.get(f"/courier/stops/{job.id}").get_data(as_text=True)
    form = re.search(r'<form data-queue-form="check_number"[^>]*>', page).group(0)
    rule = browser_rule(job.case.programme.number_rules)
    for key in ("strip", "pattern", "message"):
        rendered = re.search(f'data-number-{key}="([^"]*)"', form).group(1)
        assert unescape(rendered) == rule[key]
    assert rule["pattern"] == KODAK.pattern and rule["strip"] == STRIP_PATTERN
    assert "js/service-number.js" in page
    # No copy of the shape or of the stripping left in the phone's scripts.
    for script in Path(client.application.static_folder, "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        assert "{6}" not in text and "[\\s-]" not in text, script.name


def test_couriers_log_in_with_remember_me(client, login, courier):
    response = login("carlos")
    assert "remember_token" in response.headers.get("Set-Cookie", "") or any(
        "remember_token" in h for h in response.headers.getlist("Set-Cookie")
    )


def test_sync_applies_a_doa_swap_and_replays_harmlessly(client, login, courier):
    job = published_stop(courier)
    stock_unit()
    login("carlos")
    actions = doa_actions(job)
    for raw in actions:
        response = post_sync(client, raw)
        assert response.status_code == 200, response.get_json()
    replay = post_sync(client, actions)  # the whole queue again, as a list
    assert replay.status_code == 200
    assert all(r["status"] == 200 and r["replayed"] for r in replay.get_json()["results"])
    assert db.session.scalar(select(func.count(SyncAction.id))) == len(actions)
    assert db.session.scalar(select(func.count(Attachment.id))) == 2
    client.post("/logout", data={"csrf_token": _token(client)})
    factories.user(Role.SUPERVISOR, username="sofia")
    login("sofia")
    page = client.get(f"/cases/{job.case.case_number}").get_data(as_text=True)
    assert "Firma registrada (adjunto " in page and "Por aprobar" in page


def _badge(html: str, job_id: int) -> str:
    card = html[html.index(f'data-job-id="{job_id}"') :]
    return card[: card.index("</li>")].split("data-attention-badge", 1)[1].split(">", 1)[0]


def test_the_route_flags_a_stop_whose_last_action_was_refused(client, login, courier):
    job = published_stop(courier)
    stock_unit("C765432")
    login("carlos")
    sn = job.case.unit.service_number
    refused = action(job, "check_number", service_number=sn, replacement="C654321")
    answer = post_sync(client, refused)
    # Refused for good: a 2xx (the phone's queue lets it go) that says so, with the reason.
    assert answer.status_code == 200 and answer.get_json()["refused"] is True
    assert answer.get_json()["refused_status"] == 422
    html = client.get("/courier/").get_data(as_text=True)
    assert "hidden" not in _badge(html, job.id) and "no figura en el stock" in _badge(html, job.id)
    fixed = action(job, "check_number", service_number=sn, replacement="C765432")
    assert post_sync(client, fixed).status_code == 200
    assert "hidden" in _badge(client.get("/courier/").get_data(as_text=True), job.id)


def test_sync_without_a_session_answers_401_json_not_a_redirect(client, courier):
    job = published_stop(courier)
    response = post_sync(client, action(job, "arrive"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthenticated"


def test_sync_refuses_another_origin_and_non_json(client, login, courier):
    job = published_stop(courier)
    login("carlos")
    evil = post_sync(client, action(job, "arrive"), headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.get_json()["error"] == "origin"
    missing = post_sync(client, action(job, "arrive"), headers={})
    assert missing.status_code == 403
    same_site = post_sync(client, action(job, "arrive"), headers={"Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 200
    form = client.post("/courier/sync", data={"id": "x"}, headers=ORIGIN)
    assert form.status_code == 415


def test_a_courier_cannot_open_another_couriers_stop_or_files(client, login, courier):
    other = factories.user(Role.COURIER, username="rosa")
    theirs = published_stop(other)
    login("rosa")
    photo = post_sync(
        client,
        action(
            theirs,
            "photo",
            purpose="unit_condition",
            data=doa_actions(theirs)[2]["payload"]["data"],
        ),
    )
    attachment_id = photo.get_json()["attachment_id"]
    signature = post_sync(client, doa_actions(theirs)[4])
    signature_id = signature.get_json()["attachment_id"]
    mine = client.get(f"/media/{attachment_id}")
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg"
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert mine.headers["Content-Disposition"] == "inline"
    client.post("/logout", data={"csrf_token": _token(client)})
    login("carlos")
    for path in (
        f"/courier/stops/{theirs.id}",
        f"/media/{attachment_id}",
        f"/media/{signature_id}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Sincronizar" not in response.get_data(as_text=True)
    not_theirs = post_sync(client, action(theirs, "arrive")).get_json()
    assert not_theirs["refused"] is True and not_theirs["refused_status"] == 404


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/courier/")


@pytest.mark.parametrize(
    "role,allowed",
    [
        (Role.SUPERVISOR, True),
        (Role.DISPATCHER, True),
        (Role.TECHNICIAN, True),
    ],
)
def test_staff_see_job_media(client, login, courier, role, allowed):
    job = published_stop(courier)
    login("carlos")
    photo = post_sync(
        client,
        action(job, "photo", purpose="unit_condition", data=doa_actions(job)[2]["payload"]["data"]),
    )
    client.post("/logout", data={"csrf_token": _token(client)})
    factories.user(role, username=f"staff-{role.value}")
    login(f"staff-{role.value}")
    response = client.get(f"/media/{photo.get_json()['attachment_id']}")
    assert (response.status_code == 200) is allowed and response.data[:2] == b"\xff\xd8"


def test_manifest_and_service_worker(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["display"] == "standalone" and body["start_url"] == "/courier/"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    assert any(i["purpose"] == "maskable" for i in body["icons"])
    worker = client.get("/sw.js")
    text = worker.get_data(as_text=True)
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    assert '"/offline"' in text and "fieldapp-static-" in text and "courier-outbox" in text
    offline = client.get("/offline").get_data(as_text=True)
    assert "Sin conexión" in offline
    assert 'rel="manifest"' in client.get("/login").get_data(as_text=True)


def test_an_unpublished_route_hides_its_stops(client, login, courier):
    job = published_stop(courier)
    from fieldapp.models import Route

    db.session.get(Route, job.route_id).published_at = None
    db.session.commit()
    login("carlos")
    assert client.get(f"/courier/stops/{job.id}").status_code == 404
    html = client.get("/courier/").get_data(as_text=True)
    assert "Despacho aún no publica su ruta de hoy." in html


def test_an_oversize_sync_body_is_refused_with_json(client, login, courier):
    job = published_stop(courier)
    login("carlos")
    raw = action(job, "photo", purpose="unit_condition", data="A" * (13 * 1024 * 1024))
    response = post_sync(client, raw)
    assert response.status_code == 200  # refused for good: the queue must not retry it forever
    body = response.get_json()
    assert body["refused"] is True and body["refused_status"] == 413
    assert body["message"] == "El archivo es demasiado grande."


@pytest.mark.parametrize(("days", "seen"), [(3, True), (1, False)])
def test_a_trip_shows_on_each_of_its_days(client, login, courier, days, seen):
    from fieldapp.models import Route

    job = published_stop(courier)
    route = db.session.get(Route, job.route_id)
    route.day, route.days = factories.days_ago(1), days  # started yesterday
    db.session.commit()
    number = job.case.case_number
    login("carlos")
    html = client.get("/courier/").get_data(as_text=True)
    assert (number in html) is seen
    assert (client.get(f"/courier/stops/{job.id}").status_code == 200) is True
