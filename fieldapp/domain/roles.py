"""Roles, the areas of the app each role may enter, and where each role lands after login."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a member of staff does; one role per user."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    COURIER = "courier"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrador",
    Role.DISPATCHER: "Despacho",
    Role.COURIER: "Courier",
    Role.TECHNICIAN: "Técnico",
    Role.SUPERVISOR: "Supervisor",
}

# Area (URL prefix and blueprint name) -> roles admitted besides admin, who enters every area.
AREA_ROLES: dict[str, frozenset[Role]] = {
    "cases": frozenset({Role.DISPATCHER, Role.TECHNICIAN, Role.SUPERVISOR}),
    "dispatch": frozenset({Role.DISPATCHER}),
    "courier": frozenset({Role.COURIER}),
    "workshop": frozenset({Role.TECHNICIAN}),
    "supervisor": frozenset({Role.SUPERVISOR}),
    "stock": frozenset({Role.TECHNICIAN, Role.SUPERVISOR, Role.DISPATCHER}),
    "admin": frozenset(),
}

HOME_AREA: dict[Role, str] = {
    Role.ADMIN: "admin",
    Role.DISPATCHER: "dispatch",
    Role.COURIER: "courier",
    Role.TECHNICIAN: "workshop",
    Role.SUPERVISOR: "supervisor",
}


def may_enter(role: Role, area: str) -> bool:
    """Whether `role` may use `area`; admins may use them all.

    :raises KeyError: for an area nobody declared (a typo should fail loudly, not open a door).
    """
    allowed = AREA_ROLES[area]
    return role is Role.ADMIN or role in allowed


def areas_for(role: Role) -> list[str]:
    """The areas shown in `role`'s navigation, home first."""
    home = HOME_AREA[role]
    others = [area for area in AREA_ROLES if area != home and may_enter(role, area)]
    return [home, *others]


def sees_every_branch(role: Role, branch_id: int | None) -> bool:
    """Whether a person may look at another branch's (or every branch's) board, review queue,
    figures and statements: admins, and staff bound to no branch; anyone working at a branch
    sees only their own counter's."""
    return role is Role.ADMIN or branch_id is None
