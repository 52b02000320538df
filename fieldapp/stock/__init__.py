"""Stock: Kodak's new and exchange units, collected DOA units, parts and every movement."""

from flask import Blueprint

from fieldapp.web.guard import guard_area

bp = Blueprint("stock", __name__, url_prefix="/stock")
guard_area(bp)

from fieldapp.stock import views  # noqa: E402, F401
