import pytest

from fieldapp.domain.geo import (
    LIMA_PREFIXES,
    ST_COUNTER,
    District,
    Gazetteer,
    UnknownUbigeo,
    Zone,
    band_for,
    distance_km,
    locate,
    zone_for,
)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def test_gazetteer_size(gaz: Gazetteer) -> None:
    assert len(gaz) == 1891


def test_default_is_cached() -> None:
    assert Gazetteer.default() is Gazetteer.default()


def test_departments(gaz: Gazetteer) -> None:
    departments = gaz.departments()
    assert len(departments) == 25
    assert departments[:3] == [("01", "Amazonas"), ("02", "Áncash"), ("03", "Apurímac")]
    assert departments[-1] == ("25", "Ucayali")
    assert ("07", "Callao") in departments


def test_provinces_of_lima(gaz: Gazetteer) -> None:
    provinces = gaz.provinces("15")
    assert len(provinces) == 10
    assert ("1501", "Lima") in provinces
    assert ("1505", "Cañete") in provinces
    assert gaz.provinces("99") == []


def test_districts_of_a_province(gaz: Gazetteer) -> None:
    lima = gaz.districts("1501")
    assert len(lima) == 43
    assert lima[0].district == "Ancón"
    assert all(d.province_code == "1501" for d in lima)
    assert len(gaz.districts("0701")) == 7


def test_district_properties(gaz: Gazetteer) -> None:
    cusco = gaz.require("080101")
    assert cusco.department_code == "08"
    assert cusco.province_code == "0801"
    assert cusco.label == "Cusco, Cusco (Cusco)"
    assert gaz.require("150501").label == "San Vicente de Cañete, Cañete (Lima)"


def test_get_and_require(gaz: Gazetteer) -> None:
    assert gaz.get("999999") is None
    assert isinstance(gaz.get("010101"), District)
    with pytest.raises(UnknownUbigeo, match="No existe un distrito"):
        gaz.require("999999")
    with pytest.raises(UnknownUbigeo, match="6 dígitos"):
        gaz.require("15010")


@pytest.mark.parametrize(
    ("ubigeo", "zone"),
    [
        ("150101", Zone.LIMA),  # Lima Cercado
        ("150131", Zone.LIMA),  # San Isidro
        ("070101", Zone.LIMA),  # Callao
        ("150501", Zone.PROVINCES),  # San Vicente de Cañete: Lima region, not metro
        ("150801", Zone.PROVINCES),  # Huacho
        ("040101", Zone.PROVINCES),
    ],
)
def test_zone_for(ubigeo: str, zone: Zone) -> None:
    assert zone_for(ubigeo) is zone


def test_zone_rejects_malformed() -> None:
    assert LIMA_PREFIXES == ("1501", "0701")
    with pytest.raises(UnknownUbigeo):
        zone_for("1501")


@pytest.mark.parametrize(
    ("km", "band"), [(0, 1), (200, 1), (200.01, 2), (500, 2), (500.01, 3), (1500, 3)]
)
def test_band_for(km: float, band: int) -> None:
    assert band_for(km) == band


def test_band_thresholds_are_settings() -> None:
    assert band_for(150, (100, 300)) == 2
    assert band_for(350, (100, 300)) == 3
    assert band_for(350, (100, 300, 600)) == 3
    assert band_for(700, (100, 300, 600)) == 4


def test_distance_lima_cusco(gaz: Gazetteer) -> None:
    lima = gaz.require("150101")
    cusco = gaz.require("080101")
    assert distance_km(lima.point, cusco.point) == pytest.approx(572, abs=5)


@pytest.mark.parametrize(
    ("ubigeo", "km", "band"),
    [
        ("150801", 126.1, 1),  # Huacho
        ("150501", 129.3, 1),  # San Vicente de Cañete
        ("120101", 199.0, 1),  # Huancayo: just under 200 km as the crow flies
        ("130101", 493.2, 2),  # Trujillo
        ("080101", 571.4, 3),  # Cusco
        ("040101", 760.9, 3),  # Arequipa
        ("160101", 1013.6, 3),  # Iquitos
    ],
)
def test_locate_provinces(gaz: Gazetteer, ubigeo: str, km: float, band: int) -> None:
    location = locate(ubigeo, gaz)
    assert location.zone is Zone.PROVINCES
    assert location.distance_km == km
    assert location.band == band


def test_locate_lima_has_no_band(gaz: Gazetteer) -> None:
    for ubigeo in ("150101", "070101"):
        location = locate(ubigeo, gaz)
        assert location.zone is Zone.LIMA
        assert location.band is None
        assert location.distance_km < 20


def test_overrides(gaz: Gazetteer) -> None:
    assert locate("120101", gaz, overrides={"120101": 2}).band == 2
    assert locate("040101", gaz, overrides={"120101": 2}).band == 3
    assert locate("150101", gaz, overrides={"150101": 3}).band is None
    with pytest.raises(ValueError, match="Banda inválida"):
        locate("120101", gaz, overrides={"120101": 0})


def test_locate_custom_origin_and_thresholds(gaz: Gazetteer) -> None:
    arequipa = gaz.require("040101")
    location = locate("040101", gaz, origin=arequipa.point, thresholds_km=(10, 20))
    assert location.distance_km == 0
    assert location.band == 1
    assert locate("120101", gaz, thresholds_km=(150, 500)).band == 2


def test_st_counter() -> None:
    assert ST_COUNTER == (-12.0977, -77.0365)


def test_from_csv() -> None:
    text = "ubigeo,department,province,district,lat,lon\n010101,A,B,C,-6.5,-77.5\n"
    gaz = Gazetteer.from_csv(text)
    assert len(gaz) == 1
    assert gaz.require("010101").lat == -6.5


def test_search_by_typed_words_ignores_accents_and_puts_lima_first(gaz: Gazetteer) -> None:
    assert [d.ubigeo for d in gaz.search("miraf")][:2] == ["150122", "040110"]
    assert [d.label for d in gaz.search("miraflores areq")] == ["Miraflores, Arequipa (Arequipa)"]
    assert [d.ubigeo for d in gaz.search("brena")] == ["150105"]
    assert [d.ubigeo for d in gaz.search("15012")][:3] == ["150120", "150121", "150122"]
    assert gaz.search("  ") == [] and gaz.search("xyzzy") == []


def test_resolve_takes_only_an_unambiguous_text(gaz: Gazetteer) -> None:
    assert gaz.resolve("Miraflores, Lima (Lima)").ubigeo == "150122"
    assert gaz.resolve("lince").ubigeo == "150116"
    assert gaz.resolve("150101").ubigeo == "150101"
    assert gaz.resolve("Miraflores") is None  # four districts share the name
    assert gaz.resolve("") is None and gaz.resolve("999999") is None
