"""Object-level access: which user may see which stop, photo, signature or document.

Area-level access (which roles enter which part of the app) is `roles.may_enter`; this module
decides about single objects once a user is inside. Every rule takes the user's role and id and
the id of the courier the object belongs to, so callers only look that courier up.
"""

from __future__ import annotations

from fieldapp.domain.roles import Role

# Office staff see every case's files and documents; couriers only their own work.
STAFF: frozenset[Role] = frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.TECHNICIAN})


def is_staff(role: Role | str) -> bool:
    """Whether `role` is office staff, who see every case's files and documents."""
    return Role(role) in STAFF


def may_see_courier_work(role: Role | str, user_id: int, courier_id: int | None) -> bool:
    """Whether the user may see a file or document of a courier's work (a stop's photos and
    signature, its delivery note, a route sheet): staff always, a courier only their own.

    `courier_id` is the courier the object belongs to (None: it belongs to no courier).
    """
    if is_staff(role):
        return True
    return Role(role) is Role.COURIER and courier_id is not None and courier_id == user_id


def may_work_stop(role: Role | str, user_id: int, route_courier_id: int) -> bool:
    """Whether the user may open and act on a stop of a published route: the route's courier,
    and admins (who may step in for anyone)."""
    return Role(role) is Role.ADMIN or route_courier_id == user_id
