"""Login and logout."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from fieldapp.auth import views  # noqa: E402, F401
