"""Document views: the frozen PDF for those allowed, and `/d/<token>` for anyone holding it."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_login import current_user

from fieldapp.documents import bp
from fieldapp.extensions import db, limiter
from fieldapp.models import Case, Document, Route
from fieldapp.services import access
from fieldapp.services.documents import access as public_documents
from fieldapp.services.documents import issuing
from fieldapp.web.guard import public

UNKNOWN_DOCUMENT = "Documento no encontrado o no válido"


def _load(document_id: int) -> Document:
    """The document if the current user may have it.

    :raises NotFound: (404) for an unknown document or one the user may not see.
    """
    return access.document_or_404(current_user, document_id)


@bp.get("/documents/<int:document_id>.pdf")
def download(document_id: int):
    """The issued PDF, byte for byte as it was stored when issued.

    :raises NotFound: (404) for an unknown or hidden document, or a missing stored file.
    """
    document = _load(document_id)
    try:
        data = issuing.pdf_bytes(document)
    except FileNotFoundError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(document.sha256)
    return response


@bp.get("/d/<token>")
@public
@limiter.limit("30 per minute")
def verify(token: str):
    """Public check of a document by its QR token or short code: number, type, date, case and
    whether it is still valid; personal data only as initials.

    An unknown token or code answers 404 with a page that says so.
    """
    document = public_documents.find_public(token)
    if document is None:
        page = render_template("documents/verify_unknown.html", message=UNKNOWN_DOCUMENT)
        response = Response(page, status=404)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
    case = db.session.get(Case, document.case_id) if document.case_id else None
    replacement = (
        db.session.get(Document, document.superseded_by_id) if document.superseded_by_id else None
    )
    response = Response(
        render_template(
            "documents/verify.html",
            document=document,
            case_number=case.case_number if case is not None else None,
            initials=public_documents.initials(case.customer.name) if case is not None else None,
            replacement=replacement,
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("route_sheet")
def route_sheet(route: Route) -> Document | None:
    """The route's current route sheet, for links on the board and the courier's route."""
    return issuing.route_sheet(route)


@bp.app_template_global("case_documents")
def case_documents(case: Case) -> list[Document]:
    """The case's documents, for the "Documentos" section of the case page."""
    return issuing.for_case(case)
