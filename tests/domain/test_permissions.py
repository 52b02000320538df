"""Object-level access rules: staff see every file and document, a courier only their own work;
a published stop is its courier's (and any admin's)."""

from __future__ import annotations

import pytest

from fieldapp.domain.permissions import STAFF, is_staff, may_see_courier_work, may_work_stop
from fieldapp.domain.roles import Role

ME, SOMEONE_ELSE = 7, 8


def test_staff_is_everyone_but_the_couriers():
    assert set(Role) - {Role.COURIER} == STAFF


@pytest.mark.parametrize("role", list(Role))
def test_a_role_is_staff_whether_given_as_enum_or_stored_string(role):
    assert is_staff(role) is is_staff(role.value) is (role is not Role.COURIER)


@pytest.mark.parametrize("role", sorted(STAFF))
@pytest.mark.parametrize("owner", [ME, SOMEONE_ELSE, None])
def test_staff_see_every_couriers_work_and_work_of_nobody(role, owner):
    assert may_see_courier_work(role, ME, owner)


@pytest.mark.parametrize(("owner", "seen"), [(ME, True), (SOMEONE_ELSE, False), (None, False)])
def test_a_courier_sees_only_their_own_work(owner, seen):
    assert may_see_courier_work(Role.COURIER, ME, owner) is seen
    assert may_see_courier_work("courier", ME, owner) is seen


@pytest.mark.parametrize(
    ("role", "route_courier", "allowed"),
    [
        (Role.COURIER, ME, True),
        (Role.COURIER, SOMEONE_ELSE, False),
        (Role.ADMIN, SOMEONE_ELSE, True),
        (Role.DISPATCHER, SOMEONE_ELSE, False),
        (Role.SUPERVISOR, SOMEONE_ELSE, False),
        (Role.TECHNICIAN, SOMEONE_ELSE, False),
    ],
)
def test_a_stop_is_worked_by_its_routes_courier_or_an_admin(role, route_courier, allowed):
    assert may_work_stop(role, ME, route_courier) is allowed
