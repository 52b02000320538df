"""Cases: the list with filters, the case page and its timeline, intake at the counter."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("cases", __name__, url_prefix="/cases")
guard_area(bp)

from fieldapp.cases import imports, views  # noqa: E402, F401
