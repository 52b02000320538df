"""Administration: users, API clients and programme settings (admins only)."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_area(bp)

from fieldapp.admin import views  # noqa: E402, F401
