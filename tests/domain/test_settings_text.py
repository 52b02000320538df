"""Settings as the admin types them: model families, lists, a point in Peru, a code."""

from __future__ import annotations

import pytest

from fieldapp.domain.settings_text import (
    SettingsError,
    check_code,
    check_point,
    format_families,
    parse_families,
    parse_lines,
)


def test_families_read_one_per_line_and_show_back_the_same():
    families = parse_families("t = ESP 3\n\n  C=ESP 5  \n")
    assert families == {"T": "ESP 3", "C": "ESP 5"}
    assert parse_families(format_families(families)) == families
    assert parse_families("") == {} and format_families(None) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("T ESP 3", "Línea 1: escriba «prefijo = familia»"),
        ("T = ESP 3\n= ESP 5", "Línea 2: escriba"),
        ("T = ", "Línea 1: escriba"),
        ("T-1 = ESP", "solo puede tener letras y dígitos"),
        ("T = A\nt = B", "Línea 2: el prefijo T ya está en otra línea."),
    ],
)
def test_a_bad_family_line_says_which_and_why(text, message):
    with pytest.raises(SettingsError, match=message):
        parse_families(text)


def test_lines_are_trimmed_without_blanks_or_repeats():
    assert parse_lines(" A \n\nB\nA\n") == ["A", "B"]
    assert parse_lines(None) == []


def test_a_point_must_lie_in_peru():
    assert check_point(-16.4, -71.5) == (-16.4, -71.5)
    for lat, lon in ((16.4, -71.5), (-16.4, 71.5), (-71.5, -16.4)):
        with pytest.raises(SettingsError, match="no está en el Perú"):
            check_point(lat, lon)


def test_codes_are_lower_case_slugs():
    assert check_code(" epson-ecotank ") == "epson-ecotank"
    for bad in ("Epson", "epson ecotank", "-x", "", "a" * 33):
        with pytest.raises(SettingsError, match="minúsculas"):
            check_code(bad)
