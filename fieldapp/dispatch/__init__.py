"""Dispatch: jobs to plan, couriers' routes for a day, publishing."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")
guard_area(bp)

from fieldapp.dispatch import carrier, reservations, views  # noqa: E402, F401
