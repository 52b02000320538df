"""Every area admits only its roles (admins everywhere); every page needs a login."""

from __future__ import annotations

import pytest

from fieldapp.domain.roles import AREA_ROLES, HOME_AREA, Role
from tests import factories

AREAS = sorted(AREA_ROLES)
HEADINGS = {
    "cases": "<h1>Casos</h1>",
    "dispatch": "<h1>Despacho</h1>",
    "courier": "<h1>Mi ruta",
    "workshop": "<h1>Taller</h1>",
    "supervisor": "<h1>Supervisión</h1>",
    "stock": "<h1>Stock</h1>",
    "admin": "<h1>Administración</h1>",
}
ALLOWED = {
    (role, area)
    for role in Role
    for area in AREAS
    if role is Role.ADMIN or role in AREA_ROLES[area]
}


@pytest.mark.parametrize("area", AREAS)
def test_anonymous_is_sent_to_login(client, area):
    response = client.get(f"/{area}/", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next=/{area}/")


@pytest.mark.parametrize("area", AREAS)
def test_anonymous_script_gets_json_401(client, area):
    response = client.get(f"/{area}/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"] == "unauthenticated"


@pytest.mark.parametrize("area", AREAS)
def test_anonymous_htmx_gets_hx_redirect(client, area):
    response = client.get(f"/{area}/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("area", AREAS)
def test_role_access_matrix(client, login, role, area):
    user = factories.user(role)
    assert login(user.username).status_code == 303
    response = client.get(f"/{area}/")
    if (role, area) in ALLOWED:
        assert response.status_code == 200
        assert HEADINGS[area] in response.get_data(as_text=True)
    else:
        assert response.status_code == 403
        body = response.get_data(as_text=True)
        assert "No tiene permiso" in body
        assert HEADINGS[area] not in body


def test_matrix_is_what_the_product_asks_for():
    # Each non-admin role reaches its home area; couriers reach nothing else.
    for role, area in HOME_AREA.items():
        assert (role, area) in ALLOWED
    assert {area for role, area in ALLOWED if role is Role.COURIER} == {"courier"}
    assert {area for role, area in ALLOWED if role is Role.ADMIN} == set(AREAS)
    assert {role for role, area in ALLOWED if area == "admin"} == {Role.ADMIN}


@pytest.mark.parametrize("role", list(Role))
def test_navigation_lists_only_reachable_areas(client, login, role):
    user = factories.user(role)
    login(user.username)
    html = client.get(f"/{HOME_AREA[role]}/").get_data(as_text=True)
    for area in AREAS:
        link = f'href="/{area}/"'
        assert (link in html) == ((role, area) in ALLOWED), (role, area)
