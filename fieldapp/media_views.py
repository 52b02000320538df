"""`GET /media/<id>`: stored photos and signatures, only for users allowed to see their job."""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user

from fieldapp.infra import media
from fieldapp.services import access

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/<int:attachment_id>")
def attachment(attachment_id: int):
    """Serve a stored file with its recorded type (never sniffed, never a download name).

    :raises NotFound: (404) when it does not exist, the user may not see it, or it is missing.
    """
    found = access.attachment_or_404(current_user, attachment_id)
    try:
        data = media.read(found.sha256, found.content_type)
    except FileNotFoundError:
        abort(404)
    response = Response(data, content_type=found.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
