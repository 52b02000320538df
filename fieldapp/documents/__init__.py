"""Issued documents: PDF downloads for staff and couriers, and the public verification page.

No area guard: access is per document (a courier sees only the documents of stops they closed
and their own route sheets), checked in the loader of each view.
"""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from fieldapp.documents import views  # noqa: E402, F401
