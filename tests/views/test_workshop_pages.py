"""Workshop pages: reception, queue, repair page, parts, exchange and collection at the counter."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.roles import Role
from fieldapp.domain.stock import StockCategory
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.services.workshop import inventory, spare_parts
from tests import factories
from tests.conftest import csrf_token
from tests.factories import doa_case


@pytest.fixture
def tech(logged_in):
    return logged_in(Role.TECHNICIAN)


def reload(case) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.id == case.id))


def post(client, path, **data):
    token = csrf_token(client, "/workshop/")
    return client.post(path, data={"csrf_token": token, **data})


def test_reception_errors_are_shown_next_to_the_fields_with_input_kept(client, tech):
    response = post(
        client, "/workshop/receive", query="KCC-404", refilled="no", accessories="Cable USB"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="query-error"' in html and "No hay un caso abierto con «KCC-404»" in html
    assert 'value="Cable USB"' in html
    response = post(client, "/workshop/receive", query="KCC-404")
    assert "Indique si los cartuchos" in response.get_data(as_text=True)


def test_counter_reception_repair_and_collection(client, tech):
    case = factories.case()
    response = post(client, "/workshop/receive", query=case.unit.service_number, refilled="no")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/workshop/cases/{case.case_number}"
    html = client.get("/workshop/").get_data(as_text=True)
    assert case.case_number in html and "Reparar antes de" in html and "vence en" in html
    base = f"/workshop/cases/{case.case_number}"
    assert post(client, f"{base}/diagnosis", diagnosis="Rodillo gastado").status_code == 303
    assert post(client, f"{base}/notes", text="Cambio de rodillo").status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "Rodillo gastado" in page and "Cambio de rodillo" in page
    assert post(client, f"{base}/done").status_code == 303
    assert reload(case).status is Status.REPAIRED
    assert case.case_number in client.get("/workshop/").get_data(as_text=True)
    response = post(client, f"{base}/collect", signer_name="María Flores", signer_document_id="12")
    assert response.status_code == 422 and "8 dígitos" in response.get_data(as_text=True)
    response = post(
        client, f"{base}/collect", signer_name="María Flores", signer_document_id="45678912"
    )
    assert response.status_code == 422
    assert "Falta la firma: pida a quien recoge que firme" in response.get_data(as_text=True)
    response = post(
        client,
        f"{base}/collect",
        signer_name="María Flores",
        signer_document_id="45678912",
        signature="data:image/png;base64,bm90IGFuIGltYWdl",
    )
    assert response.status_code == 422 and "No se pudo leer la firma" in response.get_data(
        as_text=True
    )
    response = post(
        client,
        f"{base}/collect",
        signer_name="María Flores",
        signer_document_id="45678912",
        signature=factories.signature_data_url(),
    )
    assert response.status_code == 303
    assert reload(case).status is Status.CLOSED
    assert "María Flores (DNI 45678912)" in client.get(base).get_data(as_text=True)


def test_refilled_cartridges_void_from_the_reception_form(client, tech):
    case = factories.case()
    post(client, "/workshop/receive", query=case.case_number, refilled="yes")
    assert reload(case).status is Status.VOID
    assert "garantía anulada" in client.get(f"/workshop/cases/{case.case_number}").get_data(
        as_text=True
    )


def test_part_and_exchange_from_the_repair_page(client, tech):
    donor = inventory.collect_doa(doa_case(), None)
    (part,) = spare_parts.make_parts_donor(donor, ["Fuente de poder"], None)
    inventory.receive_from_manufacturer(
        factories.programme(), "T710000", "ESP 3250", StockCategory.EXCHANGE, None
    )
    case = factories.case()
    db.session.commit()
    post(client, "/workshop/receive", query=case.case_number, refilled="no")
    base = f"/workshop/cases/{case.case_number}"
    assert "Fuente de poder (de " in client.get(base).get_data(as_text=True)
    assert post(client, f"{base}/parts", part=str(part.id)).status_code == 303
    response = post(client, f"{base}/parts", part=str(part.id))
    assert response.status_code == 422 and "Elija un repuesto disponible" not in response.get_data(
        as_text=True
    )
    assert "ya fue usado" in response.get_data(as_text=True)
    response = post(client, f"{base}/exchange", reason="")
    assert response.status_code == 422 and "Indique por qué" in response.get_data(as_text=True)
    assert post(client, f"{base}/exchange", reason="Placa quemada").status_code == 303
    html = client.get(base).get_data(as_text=True)
    assert "T710000" in html and "Fuente de poder (del equipo DOA" in html


def test_doa_cases_have_no_repair_page(client, tech):
    assert client.get(f"/workshop/cases/{doa_case().case_number}").status_code == 404
