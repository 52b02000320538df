"""Workshop: reception at the counter, the repair queue against the 3-business-day clock."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("workshop", __name__, url_prefix="/workshop")
guard_area(bp)

from fieldapp.workshop import views  # noqa: E402, F401
