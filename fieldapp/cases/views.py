"""Case list and case page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from fieldapp.cases import bp
from fieldapp.extensions import db
from fieldapp.models import Case


@bp.get("/")
def index():
    """The most recently updated cases."""
    cases = db.session.scalars(select(Case).order_by(Case.updated_at.desc()).limit(100)).all()
    return render_template("cases/index.html", cases=cases)
