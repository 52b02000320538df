"""Administration: users, API clients, warranty programmes and branches (admins only)."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_area(bp)

from fieldapp.admin import settings, views  # noqa: E402, F401
