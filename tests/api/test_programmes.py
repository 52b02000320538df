"""Two programmes side by side through the API: each key sends its own programme's cases, and
each programme's rules (service-number format, DOA days, warranty length, referrals) apply."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.models import Case
from tests import factories
from tests.api.conftest import body

KODAK_KEY = "kodak-callcenter-key-0123456789abcdef"
EPSON_KEY = "epson-callcenter-key-0123456789abcdef"
RECEIVED = "2026-11-16T10:00:00-05:00"


@pytest.fixture
def keys(app):
    kodak = factories.programme()
    epson = factories.second_programme()
    factories.api_client(KODAK_KEY, "Kodak Call Center", kodak)
    factories.api_client(EPSON_KEY, "Epson Call Center", epson)


def post(client, key, payload):
    return client.post("/api/v1/cases", json=payload, headers={"Authorization": f"Bearer {key}"})


def get(client, key, path):
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})


def test_ten_days_after_purchase_is_doa_for_kodak_and_repair_for_epson(client, keys):
    kodak = post(client, KODAK_KEY, body(service_number="T700001", purchase_date="2026-11-06"))
    epson = post(client, EPSON_KEY, body(service_number="et-1234 5678", purchase_date="2026-11-06"))
    assert kodak.status_code == epson.status_code == 201, (kodak.json, epson.json)
    assert (kodak.json["programme"], kodak.json["kind"]) == ("kodak-inkjet", "doa")
    assert (epson.json["programme"], epson.json["kind"]) == ("epson-ecotank", "warranty")
    assert epson.json["service_number"] == "ET12345678"
    assert epson.json["model_family"] == "EcoTank"
    stored = db.session.scalar(select(Case).where(Case.case_number == epson.json["case_number"]))
    assert stored.programme.brand == "Epson"


def test_each_programme_refuses_the_other_ones_service_numbers(client, keys):
    kodak = post(client, KODAK_KEY, body(service_number="ET12345678"))
    epson = post(client, EPSON_KEY, body(service_number="T700002"))
    assert kodak.status_code == epson.status_code == 422
    kodak_message = kodak.json["errors"]["service_number"][0]
    epson_message = epson.json["errors"]["service_number"][0]
    assert "una letra seguida de 6 dígitos" in kodak_message
    assert "no tiene el formato de este programa (p. ej. ET12345678)" in epson_message
    assert db.session.scalar(select(Case.id)) is None


def test_eighteen_months_is_outside_kodak_warranty_and_inside_epson(client, keys):
    kodak = post(client, KODAK_KEY, body(service_number="T700003", purchase_date="2025-05-10"))
    epson = post(client, EPSON_KEY, body(service_number="XP12345678", purchase_date="2025-05-10"))
    assert kodak.status_code == 422
    assert "garantía de 12 meses venció" in kodak.json["errors"]["failure_date"][0]
    assert epson.status_code == 201 and epson.json["kind"] == "warranty"
    assert epson.json["model_family"] == "Expression"


def test_each_programme_refers_cameras_to_its_own_centres(client, keys):
    epson = post(client, EPSON_KEY, body(service_number="ET12345679", product_type="camera"))
    kodak = post(client, KODAK_KEY, body(service_number="T700004", product_type="camera"))
    assert "Epson Centro de Servicio Lima" in str(epson.json["errors"])
    assert "G&N DIGITAL" in str(kodak.json["errors"])
    assert "Epson Centro" not in str(kodak.json["errors"])


def test_a_key_reads_only_its_own_programmes_cases(client, keys):
    kodak = post(client, KODAK_KEY, body(service_number="T700005")).json
    epson = post(client, EPSON_KEY, body(service_number="ET22345678")).json
    assert get(client, KODAK_KEY, f"/cases/{kodak['case_number']}").status_code == 200
    assert get(client, EPSON_KEY, f"/cases/{kodak['case_number']}").status_code == 404
    listed = get(client, EPSON_KEY, "/cases").json
    assert [c["case_number"] for c in listed["items"]] == [epson["case_number"]]
