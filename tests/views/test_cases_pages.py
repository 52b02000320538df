"""The cases list (filters, search, urgency), the case page and its timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fieldapp.domain.case_flow import Event
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models.types import utcnow
from fieldapp.services.cases.progress import apply_event
from tests import factories


@pytest.fixture
def staff(logged_in):
    return logged_in(Role.DISPATCHER, full_name="Diana Despacho")


def _numbers(html: str, *numbers: str) -> list[bool]:
    return [number in html for number in numbers]


def test_list_shows_cases_with_their_next_deadline(client, staff):
    case = factories.case(case_number="KCC-LIST-1")
    html = client.get("/cases/").get_data(as_text=True)
    assert "KCC-LIST-1" in html
    assert case.unit.service_number in html
    assert "María Flores" in html
    assert "Garantía Lima" in html
    # A Lima warranty has no clock until the unit arrives; a DOA shows its swap countdown.
    factories.case(case_number="KCC-LIST-2", purchase_date=factories.days_ago(5))
    html = client.get("/cases/").get_data(as_text=True)
    assert "Cambio: vence en" in html


def test_filters_by_status_flow_zone_and_text(client, staff):
    lima = factories.case(case_number="KCC-F-LIMA")
    provinces = factories.case(
        case_number="KCC-F-PROV", customer={"ubigeo": "130101", "name": "Pedro Trujillo"}
    )
    apply_event(lima, Event.RECEIVE_UNIT, staff)
    db.session.commit()

    def listed(**args):
        html = client.get("/cases/", query_string=args).get_data(as_text=True)
        return _numbers(html, "KCC-F-LIMA", "KCC-F-PROV")

    assert listed() == [True, True]
    assert listed(status="in_workshop") == [True, False]
    assert listed(flow="warranty_provinces") == [False, True]
    assert listed(zone="provinces") == [False, True]
    assert listed(zone="lima") == [True, False]
    assert listed(q="trujillo") == [False, True]
    assert listed(q="f-lima") == [True, False]
    assert listed(q=provinces.unit.service_number.lower()) == [False, True]
    assert listed(status="bogus") == [True, True]  # an unknown value filters nothing


def test_the_search_reads_a_service_number_as_the_domain_does(client, staff):
    """Spaces, hyphens and Unicode dashes (a phone's en dash, a label's no-break hyphen) are
    stripped by the one service-number rule before the search."""
    case = factories.case(case_number="KCC-F-DASH")
    number = case.unit.service_number
    db.session.commit()
    for typed in (f"{number[:3]}\u2013{number[3:]}", f"{number[:1]} \u2011{number[1:]}".lower()):
        html = client.get("/cases/", query_string={"q": typed}).get_data(as_text=True)
        assert "KCC-F-DASH" in html, typed


def test_urgency_filters(client, staff):
    now = utcnow()
    # DOA Lima received 3 days ago: swap overdue.
    factories.case(
        case_number="KCC-U-LATE",
        purchase_date=factories.days_ago(10),
        received_at=now - timedelta(days=3),
    )
    # Fresh DOA: on track.
    factories.case(case_number="KCC-U-FRESH", purchase_date=factories.days_ago(2))
    overdue = client.get("/cases/?urgency=overdue").get_data(as_text=True)
    assert _numbers(overdue, "KCC-U-LATE", "KCC-U-FRESH") == [True, False]
    assert "Vencido" in overdue and "venció hace" in overdue
    at_risk = client.get("/cases/?urgency=at_risk").get_data(as_text=True)
    assert _numbers(at_risk, "KCC-U-LATE", "KCC-U-FRESH") == [False, False]


def test_list_as_page_and_as_htmx_fragment(client, staff):
    factories.case(case_number="KCC-FRAG")
    page = client.get("/cases/").get_data(as_text=True)
    assert "<html" in page and 'id="case-results"' in page
    fragment = client.get("/cases/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert 'id="case-results"' in fragment and "KCC-FRAG" in fragment
    boosted = client.get("/cases/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_case_page_shows_facts_deadlines_and_timeline(client, staff):
    case = factories.case(case_number="KCC-SHOW", customer={"ubigeo": "130101"})
    apply_event(case, Event.SCHEDULE, staff, note="Recojo coordinado por teléfono")
    db.session.commit()
    html = client.get("/cases/KCC-SHOW").get_data(as_text=True)
    assert "Caso KCC-SHOW" in html
    assert "Garantía provincias" in html and "banda 2" in html
    assert "Trujillo" in html
    assert "Recojo" in html  # the pickup deadline
    created = html.index("Caso registrado")
    scheduled = html.index("Programar visita")
    assert created < scheduled  # oldest first
    assert "Recibido → Visita programada" in html
    assert "Diana Despacho" in html
    assert "Recojo coordinado por teléfono" in html


def test_unknown_case_is_404(client, staff):
    assert client.get("/cases/NOPE-1").status_code == 404


def test_courier_cannot_see_cases(client, login):
    factories.case(case_number="KCC-PRIV")
    login(factories.user(Role.COURIER).username)
    response = client.get("/cases/KCC-PRIV")
    assert response.status_code == 403
    assert "KCC-PRIV" not in response.get_data(as_text=True)
