"""Spanish counts and loads: "1 parada", "2 paradas", what a stop delivers and collects."""

from __future__ import annotations

from fieldapp.domain.wording import count, load


def test_counts_take_the_singular_only_for_one():
    assert count(1, "parada", "paradas") == "1 parada"
    assert count(0, "parada", "paradas") == "0 paradas"
    assert count(1, "hecha", "hechas") == "1 hecha"
    assert count(3, "hecha", "hechas") == "3 hechas"


def test_load_says_what_the_stop_delivers_and_collects():
    assert load(1, 1) == "entrega 1 equipo · recoge 1 equipo"
    assert load(0, 2) == "recoge 2 equipos"
    assert load(0, 0) == ""
