"""Branches: which counter serves a case (the staff member's own, else the nearest to the
case's district), and the branches to choose from."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.domain.geo import Gazetteer, UnknownUbigeo, distance_km
from fieldapp.extensions import db
from fieldapp.models import Branch, User


def active() -> list[Branch]:
    """The branches open now, by name."""
    return list(
        db.session.scalars(select(Branch).where(Branch.active.is_(True)).order_by(Branch.name))
    )


def by_code(code: str | None) -> Branch | None:
    """The active branch with `code` (None for none or an unknown one)."""
    if not code:
        return None
    return db.session.scalar(select(Branch).where(Branch.code == code, Branch.active.is_(True)))


def serving(ubigeo: str | None, actor) -> Branch | None:
    """The branch that serves a case in `ubigeo`: the staff member's who registers it, else the
    nearest active branch to the district (None when there are no branches)."""
    if isinstance(actor, User) and actor.branch_id is not None:
        own = db.session.get(Branch, actor.branch_id)
        if own is not None and own.active:
            return own
    found = active()
    if not found:
        return None
    try:
        point = Gazetteer.default().require((ubigeo or "").strip()).point
    except UnknownUbigeo:
        return found[0]  # intake refuses the case anyway
    return min(found, key=lambda branch: distance_km(branch.point, point))
