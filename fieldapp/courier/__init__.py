"""Courier: today's published route on a phone, and proof of delivery at each stop."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("courier", __name__, url_prefix="/courier")
guard_area(bp)

from fieldapp.courier import views  # noqa: E402, F401
