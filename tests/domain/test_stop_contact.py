"""Reaching a stop: navigation to the street address (never the district's centre), the points
given at intake, what an arrival fix teaches, and the WhatsApp message."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, unquote, urlparse

from fieldapp.domain import stop_contact as contact
from fieldapp.domain.deadlines import LIMA_TZ

PLACE = contact.Place(address="Av. Arequipa 1234", district="Lince", city="Lima")


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}


def test_without_a_point_navigation_searches_the_street_address():
    assert _query(contact.maps_url(PLACE))["destination"] == "Av. Arequipa 1234, Lince, Lima, Perú"
    waze = _query(contact.waze_url(PLACE))
    assert waze == {"q": "Av. Arequipa 1234, Lince, Lima, Perú", "navigate": "yes"}


def test_a_known_point_is_navigated_to_exactly():
    place = contact.Place("Av. Arequipa 1234", "Lince", "Lima", point=(-12.0851, -77.0353))
    assert _query(contact.maps_url(place))["destination"] == "-12.0851,-77.0353"
    assert contact.waze_url(place) == "https://waze.com/ul?ll=-12.0851,-77.0353&navigate=yes"


def test_a_stop_without_street_still_names_district_and_city():
    place = contact.Place(address=None, district="Víctor Larco Herrera", city="Trujillo")
    assert _query(contact.maps_url(place))["destination"] == "Víctor Larco Herrera, Trujillo, Perú"


def test_the_whatsapp_text_names_the_st_the_window_and_the_tracking_link():
    window = (
        datetime(2026, 12, 2, 10, 0, tzinfo=LIMA_TZ),
        datetime(2026, 12, 2, 12, 0, tzinfo=LIMA_TZ),
    )
    text = contact.whatsapp_text(
        recipient="María Flores",
        courier="Carlos",
        st_name="Alternativa Tecnológica S.A.C.",
        case_number="KCC-1",
        window=window,
        tracking_url="https://st.example/t/abc",
    )
    assert text == (
        "Hola María, le saluda Carlos de Alternativa Tecnológica S.A.C. Estoy en camino para la "
        "visita del caso KCC-1, entre las 10:00 y las 12:00. Puede seguir la visita aquí: "
        "https://st.example/t/abc"
    )
    assert "Kodak" not in text
    url = contact.whatsapp_url("987 654 321", text)
    assert url.startswith("https://wa.me/51987654321?text=") and unquote(url).endswith(text)
    assert contact.whatsapp_url("01 421 5555", text) is None  # a landline gets no WhatsApp


def test_points_given_at_intake_are_checked():
    assert contact.point_problem(None, None) is None
    assert contact.point_problem(-12.08, -77.03) is None
    assert "juntas" in contact.point_problem(-12.08, None)
    assert "fuera del Perú" in contact.point_problem(12.08, 77.03)


def test_only_a_precise_fix_near_the_district_teaches_the_point():
    assert contact.learns_point(15, 2.0, 30)
    assert not contact.learns_point(None, 2.0, 30)
    assert not contact.learns_point(250, 2.0, 30)  # a vague fix
    assert not contact.learns_point(15, 45.0, 30)  # the courier was evidently elsewhere
