"""The customer's public tracking page of a visit (/t/<token>)."""

from flask import Blueprint

bp = Blueprint("tracking", __name__, url_prefix="/t")

from fieldapp.tracking import views  # noqa: E402, F401
