"""Supervisor: review of closed jobs, deadlines and the dashboard."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
guard_area(bp)

from fieldapp.supervisor import views  # noqa: E402, F401
