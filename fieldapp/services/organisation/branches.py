"""Branches: which counter serves a case (the staff member's own, else the nearest to the
case's district), the branches to choose from, and which branch a person looks at."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from fieldapp.domain.geo import Gazetteer, UnknownUbigeo, distance_km
from fieldapp.domain.roles import sees_every_branch
from fieldapp.extensions import db
from fieldapp.models import Branch, User
from fieldapp.services.organisation import SettingError, apply_settings


def active() -> list[Branch]:
    """The branches open now, by name."""
    return list(
        db.session.scalars(select(Branch).where(Branch.active.is_(True)).order_by(Branch.name))
    )


def own_code(user: User) -> str:
    """The code of the active branch `user` works at ("" for none: every branch)."""
    own = db.session.get(Branch, user.branch_id) if user.branch_id is not None else None
    return own.code if own is not None and own.active else ""


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


@dataclass(frozen=True)
class BranchValues:
    """A branch as the admin typed it; no point given (None) means the district's."""

    code: str
    name: str
    address: str
    ubigeo: str
    lat: float | None
    lon: float | None
    active: bool


def every() -> list[Branch]:
    """Every branch, open ones first, by name."""
    return list(db.session.scalars(select(Branch).order_by(Branch.active.desc(), Branch.name)))


def save(branch: Branch | None, values: BranchValues, actor: User) -> Branch:
    """Create a branch (`branch` None) or change one; its point is the one given, else its
    district's capital. Audited with the fields changed. Flushes.

    :raises SettingError: for an unknown UBIGEO, or a code another branch has.
    """
    ubigeo = values.ubigeo.strip()
    district = Gazetteer.default().get(ubigeo)
    if district is None:
        raise SettingError("ubigeo", f"UBIGEO desconocido: {ubigeo} no es un distrito del Perú.")
    taken = db.session.scalar(
        select(Branch.id).where(
            Branch.code == values.code, Branch.id != (branch.id if branch is not None else -1)
        )
    )
    if taken is not None:
        raise SettingError("code", f"Ya existe una sede con el código {values.code}.")
    if (values.lat is None) != (values.lon is None):
        raise SettingError("lon", "Indique latitud y longitud juntas, o ninguna.")
    point = (values.lat, values.lon) if values.lat is not None else district.point
    wanted = {
        "code": values.code,
        "name": values.name.strip(),
        "address": values.address.strip(),
        "ubigeo": ubigeo,
        "lat": point[0],
        "lon": point[1],
        "active": values.active,
    }
    return apply_settings("branch", branch, Branch, wanted, actor)


ALL = "all"  # the code asked for to see every branch


@dataclass(frozen=True)
class Scope:
    """The branch a page shows (None: every branch) and the branches its person may switch to
    (empty: only their own)."""

    branch: Branch | None
    choosable: list[Branch]

    @property
    def branch_id(self) -> int | None:
        """The id of the branch shown (None: every branch)."""
        return self.branch.id if self.branch is not None else None

    @property
    def code(self) -> str:
        """The branch's code as the pages' `branch` argument ("all": every branch)."""
        return self.branch.code if self.branch is not None else ALL


def scope_for(user: User, asked: str | None = None) -> Scope:
    """The branch `user` looks at on the board, the review queue, the dashboard and the
    statement: the one asked for ("all": every branch) when their role and branch allow
    choosing (`sees_every_branch`), else their own; without asking, their own (every branch
    for someone bound to none). An unknown code is ignored."""
    own = db.session.get(Branch, user.branch_id) if user.branch_id is not None else None
    if not sees_every_branch(user.role, user.branch_id):
        return Scope(own, [])
    choosable = active()
    if asked == ALL:
        return Scope(None, choosable)
    found = next((b for b in choosable if b.code == asked), None)
    return Scope(found or own, choosable)


def may_act_on(user: User, branch_id: int | None) -> bool:
    """Whether `user` may act on something of `branch_id` (a job to review, a route): anyone who
    may choose branches, else only on their own branch's."""
    return sees_every_branch(user.role, user.branch_id) or branch_id == user.branch_id
