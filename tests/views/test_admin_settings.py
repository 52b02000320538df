"""The admin keeps the warranty programmes and the branches: list, create, edit, each change
audited; a bad value re-renders the form with its message and saves nothing; only admins."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from fieldapp.domain.geo import ST_COUNTER, Gazetteer
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Branch, Programme
from tests import factories
from tests.conftest import CSRF_META, csrf_token

PROGRAMME = {
    "name": "HP Smart Tank — Garantía Perú",
    "brand": "HP",
    "code": "hp-smart-tank",
    "doa_days": "15",
    "warranty_months": "12",
    "service_number_pattern": "CN[0-9]{8}",
    "service_number_example": "cn 1234 5678",
    "model_families": "CN = Smart Tank\nTH = Tango",
    "referral_centres": "HP Centro Lima\n\nHP Centro Arequipa\n",
    "case_admin_email": "casos@hp.example",
    "active": "y",
}
BRANCH = {
    "code": "arequipa",
    "name": "Mostrador Arequipa",
    "address": "Calle Mercaderes 200, Arequipa",
    "ubigeo": "040101",
    "lat": "",
    "lon": "",
    "active": "y",
}


@pytest.fixture
def admin(app, login):
    user = factories.user(Role.ADMIN)
    login(user.username)
    return user


def _post(client, path, form, **changes):
    data = {"csrf_token": csrf_token(client, path), **form, **changes}
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_admin_index_links_to_programmes_and_branches(client, admin):
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/programmes"' in html and "Programas de garantía" in html
    assert 'href="/admin/branches"' in html and "Sedes" in html


def test_the_admin_creates_and_edits_a_programme(client, admin):
    factories.programme()
    answer = _post(client, "/admin/programmes/new", PROGRAMME)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/programmes")
    made = db.session.scalar(select(Programme).where(Programme.code == "hp-smart-tank"))
    assert (made.name, made.brand, made.doa_days, made.warranty_months) == (
        "HP Smart Tank — Garantía Perú",
        "HP",
        15,
        12,
    )
    assert made.service_number_example == "CN12345678"
    assert made.model_families == {"CN": "Smart Tank", "TH": "Tango"}
    assert made.referral_centres == ["HP Centro Lima", "HP Centro Arequipa"]
    assert made.case_admin_email == "casos@hp.example" and made.active
    listing = client.get("/admin/programmes").get_data(as_text=True)
    assert "Programa HP Smart Tank — Garantía Perú guardado." in listing
    assert "Kodak Inkjet AiO" in listing and "hp-smart-tank" in listing
    (created,) = _events("programme_created")
    assert created.entity_id == made.id and created.actor_user_id == admin.id

    page = client.get(f"/admin/programmes/{made.id}").get_data(as_text=True)
    assert "CN = Smart Tank\nTH = Tango" in page and 'value="15"' in page
    changed = _post(
        client,
        f"/admin/programmes/{made.id}",
        PROGRAMME,
        doa_days="30",
        referral_centres="",
        active=None,  # an unticked box is not sent
    )
    assert changed.status_code == 303
    db.session.refresh(made)
    assert made.doa_days == 30 and made.referral_centres is None and not made.active
    (event,) = _events("programme_changed")
    assert event.data == {"changed": ["active", "doa_days", "referral_centres"]}
    assert event.note == "hp-smart-tank: active, doa_days, referral_centres"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service_number_pattern": "CN[0-9{8"}, "No es una expresión regular válida"),
        ({"service_number_example": "XX1"}, "El ejemplo no cumple el formato"),
        ({"doa_days": "-3"}, "no pueden ser negativos"),
        ({"warranty_months": "doce"}, "Escriba un número entero."),
        ({"model_families": "CN Smart Tank"}, "Línea 1: escriba «prefijo = familia»"),
        ({"code": "HP Smart"}, "Use solo minúsculas, dígitos y guiones"),
        ({"code": "kodak-inkjet"}, "Ya existe un programa con el código kodak-inkjet."),
        ({"case_admin_email": "casos@"}, "Correo electrónico no válido."),
        ({"name": ""}, "Ingrese el nombre del programa."),
    ],
)
def test_a_bad_programme_setting_is_refused_with_its_message(client, admin, changes, message):
    factories.programme()
    before = _count(Programme)
    answer = _post(client, "/admin/programmes/new", PROGRAMME, **changes)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in html and 'data-test="error-summary"' in html
    assert 'value="HP"' in html  # what was typed stays
    assert _count(Programme) == before and _events("programme_created") == []


def test_an_edit_refused_leaves_the_programme_as_it_was(client, admin):
    kodak = factories.programme()
    answer = _post(
        client,
        f"/admin/programmes/{kodak.id}",
        {**PROGRAMME, "code": "kodak-inkjet", "service_number_example": "CN12345678"},
        doa_days="-1",
    )
    assert answer.status_code == 422 and "no pueden ser negativos" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert (kodak.doa_days, kodak.brand) == (30, "Kodak")
    assert _events("programme_changed") == []


def san_isidro() -> Branch:
    """The counter the migrations make (made again where a test database was emptied)."""
    return factories.branch("san-isidro", "Mostrador San Isidro", ST_COUNTER)


def test_the_admin_creates_a_branch_at_its_district_and_edits_it(client, admin):
    san_isidro()
    answer = _post(client, "/admin/branches/new", BRANCH)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/branches")
    made = db.session.scalar(select(Branch).where(Branch.code == "arequipa"))
    arequipa = Gazetteer.default().require("040101")
    assert made.point == arequipa.point and made.ubigeo == "040101" and made.active
    listing = client.get("/admin/branches").get_data(as_text=True)
    assert "Sede Mostrador Arequipa guardada." in listing
    assert "Mostrador San Isidro" in listing and "Calle Mercaderes 200" in listing
    (created,) = _events("branch_created")
    assert created.entity_id == made.id and created.actor_user_id == admin.id

    page = client.get(f"/admin/branches/{made.id}").get_data(as_text=True)
    assert 'value="040101"' in page
    assert re.search(r'name="lat"[^>]*value=""', page)  # the district's point: none by hand
    moved = _post(
        client, f"/admin/branches/{made.id}", BRANCH, lat="-16,3989", lon="-71.5370", active=None
    )
    assert moved.status_code == 303
    db.session.refresh(made)
    assert made.point == (-16.3989, -71.537) and not made.active
    (event,) = _events("branch_changed")
    assert event.data == {"changed": ["active", "lat", "lon"]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ubigeo": "999999"}, "UBIGEO desconocido: 999999 no es un distrito del Perú."),
        ({"ubigeo": "0401"}, "El UBIGEO tiene 6 dígitos"),
        ({"lat": "-16.4"}, "Indique latitud y longitud juntas"),
        ({"lat": "16.4", "lon": "71.5"}, "El punto no está en el Perú"),
        ({"lat": "norte", "lon": "-71.5"}, "Escriba un número, p. ej. -12,0977."),
        ({"code": "san-isidro"}, "Ya existe una sede con el código san-isidro."),
        ({"address": ""}, "Ingrese la dirección."),
    ],
)
def test_a_bad_branch_is_refused_with_its_message(client, admin, changes, message):
    san_isidro()
    before = _count(Branch)
    answer = _post(client, "/admin/branches/new", BRANCH, **changes)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and message in html
    assert 'value="Mostrador Arequipa"' in html
    assert _count(Branch) == before and _events("branch_created") == []


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SUPERVISOR, Role.TECHNICIAN])
def test_only_admins_keep_programmes_and_branches(client, login, role):
    kodak = factories.programme()
    login(factories.user(role).username)
    for path in ("/admin/programmes", "/admin/branches/new", f"/admin/programmes/{kodak.id}"):
        assert client.get(path).status_code == 403
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = CSRF_META.search(home).group(1)
    answer = client.post("/admin/programmes/new", data={"csrf_token": token, **PROGRAMME})
    assert answer.status_code == 403
    assert db.session.scalar(select(Programme).where(Programme.code == "hp-smart-tank")) is None


def test_an_unknown_programme_or_branch_is_not_found(client, admin):
    assert client.get("/admin/programmes/9999").status_code == 404
    assert client.get("/admin/branches/9999").status_code == 404
