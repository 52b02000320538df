"""The installable app: web manifest, service worker at the site root, and the offline page.

Public (no login): the browser fetches the manifest and the worker script before anyone logs in.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, current_app, render_template, url_for

from fieldapp.web.guard import public_blueprint

bp = public_blueprint(Blueprint("pwa", __name__))

THEME_COLOUR = "#0b5cab"
BACKGROUND_COLOUR = "#ffffff"
# Files the courier needs offline; cached when the worker installs.
PRECACHE_STATIC = (
    "css/app.css",
    "vendor/htmx.min.js",
    "vendor/signature_pad.min.js",
    "js/outbox.js",
    "js/sw-register.js",
    "js/sync-bar.js",
    "js/route-cache.js",
    "js/stop-steps.js",
    "js/photo-input.js",
    "js/signature.js",
    "js/service-number.js",
    "js/scan.js",
    "js/stop-attention.js",
    "icons/icon-192.png",
    "icons/favicon.svg",
)


def cache_version() -> str:
    """A version that changes whenever a pre-cached file changes, so caches never go stale."""
    cached = current_app.extensions.get("fieldapp.sw_version")
    if cached:
        return cached
    digest = hashlib.sha256()
    static = Path(current_app.static_folder)
    for name in PRECACHE_STATIC + ("../templates/pwa/sw.js", "../templates/pwa/offline.html"):
        path = static / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    version = digest.hexdigest()[:12]
    current_app.extensions["fieldapp.sw_version"] = version
    return version


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest (name, start page, colours, icons)."""
    icon = "icons/icon-{}.png"
    body = {
        "id": url_for("courier.index"),
        "name": "fieldapp · Servicio técnico Kodak",
        "short_name": "fieldapp",
        "description": "Rutas y visitas de servicio técnico en garantía.",
        "lang": "es-PE",
        "start_url": url_for("courier.index"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": url_for("static", filename=icon.format(192)),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": url_for("static", filename=icon.format(512)),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": url_for("static", filename="icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def courier_pages_pattern() -> str:
    """A regular expression (JavaScript syntax) matching the paths of the courier's pages the
    worker keeps offline: the route and each stop, e.g. /courier/ and /courier/stops/12."""
    home = url_for("courier.index")
    stop = url_for("courier.stop", job_id=0)  # "<home>stops/0": the id is the last part
    stops = re.escape(stop[len(home) : -1]) + r"\d+"
    return f"^{re.escape(home.rstrip('/'))}/?({stops})?$"


@bp.get("/sw.js")
def service_worker():
    """The service worker script, served from the root so its scope is the whole site."""
    body = render_template(
        "pwa/sw.js",
        version=cache_version(),
        precache=[url_for("static", filename=name) for name in PRECACHE_STATIC]
        + [url_for("pwa.offline")],
        outbox=url_for("static", filename="js/outbox.js"),
        offline=url_for("pwa.offline"),
        sync=url_for("courier.sync"),
        static_prefix=url_for("static", filename=""),
        courier_pages=courier_pages_pattern(),
    )
    response = current_app.response_class(body, mimetype="text/javascript")
    # The browser must always see a new worker at once; it checks for updates itself.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """What the app shows when a page is not cached and there is no network."""
    return render_template("pwa/offline.html")
