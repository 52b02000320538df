"""Security headers on every response, and a request id for logs and the audit trail."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

# No 'unsafe-inline' or 'unsafe-eval' for scripts: every script is a file under /static, and
# htmx runs with allowEval off. Styles are files too, so inline style attributes are refused.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a map tile URL template (scheme, host and port; a leading `{s}.`
    subdomain becomes `*.`), or None when there is no usable URL."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}.", "x-subdomain."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("x-subdomain.", "*.")
    return f"{parts.scheme}://{host}"


def csp(tile_url: str = "") -> str:
    """The Content-Security-Policy, with the map tile host allowed as an image source."""
    source = tile_source(tile_url)
    if source is None:
        return CSP
    return CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {source}")


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp(current_app.config.get("MAP_TILE_URL", "")))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "X-Request-ID" not in headers and "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    # Pages carry personal data: never let a shared cache keep them.
    if response.mimetype in {"text/html", "application/json"}:
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register the request id and the header hooks."""
    app.before_request(_assign_request_id)
    app.after_request(_headers)
