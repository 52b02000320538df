"""The stock page: counts, shortage warning, receive, reserve, DOA donor, credit at sale."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.domain.stock import MovementKind, StockStatus
from fieldapp.extensions import db
from fieldapp.models import SparePart, StockMovement, StockUnit
from fieldapp.services.cases import visits
from tests import factories
from tests.conftest import csrf_token
from tests.factories import close_job, doa_case


@pytest.fixture
def keeper(client, login):
    user = factories.user(Role.DISPATCHER)
    login(user.username)
    factories.programme()
    return user


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/stock/"), **data})


def test_receive_then_counts_and_shortage(client, keeper):
    doa_case()
    doa_case()
    html = client.get("/stock/").get_data(as_text=True)
    assert "Faltan 2 equipos nuevos para los cambios DOA de mañana" in html
    response = post(
        client,
        "/stock/receive",
        **{
            "receive-service_number": "t-123 456",
            "receive-model": "ESP 3250",
            "receive-category": "new",
        },
    )
    assert response.status_code == 303
    html = client.get("/stock/").get_data(as_text=True)
    assert "T123456" in html and "Faltan 1 equipos" in html and "Recibido del fabricante" in html
    response = post(
        client,
        "/stock/receive",
        **{
            "receive-service_number": "T123456",
            "receive-model": "ESP 3250",
            "receive-category": "new",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="receive-service_number-error"' in html and "ya está en el stock" in html


def test_reserve_for_a_doa_case(client, keeper):
    case = doa_case()
    post(
        client,
        "/stock/receive",
        **{
            "receive-service_number": "C111111",
            "receive-model": "ESP 5250",
            "receive-category": "new",
        },
    )
    response = post(client, "/stock/reserve", **{"reserve-case_number": case.case_number})
    assert response.status_code == 303
    unit = db.session.scalar(select(StockUnit))
    assert (
        unit.status is StockStatus.RESERVED and unit.reserved_for_job_id == visits.open_job(case).id
    )
    response = post(client, "/stock/reserve", **{"reserve-case_number": "KCC-0"})
    assert response.status_code == 422 and "No existe el caso KCC-0" in response.get_data(
        as_text=True
    )


def test_collect_doa_and_make_it_a_donor(client, keeper):
    case = doa_case()
    close_job(case, factories.user(Role.COURIER))
    assert (
        post(client, "/stock/collect-doa", **{"collect-case_number": case.case_number}).status_code
        == 303
    )
    unit = db.session.scalar(select(StockUnit))
    assert unit.service_number == case.unit.service_number
    assert (
        post(client, f"/stock/units/{unit.id}/donor", parts="Cabezal\nBandeja\n").status_code == 303
    )
    db.session.expire_all()
    assert sorted(db.session.scalars(select(SparePart.name))) == ["Bandeja", "Cabezal"]
    assert "2 disponibles, 0 usados" in client.get("/stock/").get_data(as_text=True)


def test_credit_at_sale_from_the_page(client, keeper):
    data = {
        "credit-store_name": "Hiraoka",
        "credit-store_ubigeo": "150101",
        "credit-service_number": "C222222",
        "credit-model": "ESP 5250",
    }
    assert post(client, "/stock/credit", **data).status_code == 303
    movement = db.session.scalar(select(StockMovement))
    assert movement.kind is MovementKind.CREDITED_AT_SALE and movement.case_id is None
    assert "Crédito por falla en venta" in client.get("/stock/").get_data(as_text=True)
    data["credit-store_ubigeo"] = "12"
    response = post(client, "/stock/credit", **data)
    assert response.status_code == 422 and "6 dígitos" in response.get_data(as_text=True)
