"""/t/<token>: where the customer's visit stands (public, unguessable token)."""

from __future__ import annotations

from flask import abort, render_template

from fieldapp.extensions import limiter
from fieldapp.services.cases import tracking
from fieldapp.tracking import bp
from fieldapp.web.guard import public


@bp.get("/<token>")
@public
@limiter.limit("30 per minute")
def show(token: str):
    """The visit's status and window, updated as the courier works the route.

    :raises NotFound: for an unknown token.
    """
    found = tracking.find(token)
    if found is None:
        abort(404)
    response = render_template("tracking/show.html", t=found)
    return response, 200, {"X-Robots-Tag": "noindex", "Refresh": "120"}
