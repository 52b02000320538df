"""The offline SVG map: stops at one place fan out instead of hiding each other."""

from __future__ import annotations

import math

from fieldapp.domain.mapping import STOP_GAP, fan_out, plan_map


def test_points_at_one_place_fan_out_on_a_circle_and_others_stay():
    points = [(100.0, 100.0), (100.0, 100.0), (101.0, 100.0), (300.0, 300.0)]
    spread = fan_out(points, 20)
    assert spread[3] == (300.0, 300.0)
    group = spread[:3]
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            assert math.dist(a, b) >= 20 - 1e-9
    centre = (sum(p[0] for p in group) / 3, sum(p[1] for p in group) / 3)
    assert math.dist(centre, (100 + 1 / 3, 100)) < 1e-9


def test_plan_map_fans_out_stops_in_one_district():
    district = (-12.0977, -77.0272)
    drawn = plan_map([("Ana", (-12.0977, -77.0365), [district, district, district])], [district])
    stops = drawn.routes[0].stops + drawn.loose
    assert [p.label for p in drawn.routes[0].stops] == ["1", "2", "3"]
    for i, a in enumerate(stops):
        for b in stops[i + 1 :]:
            assert math.dist((a.x, a.y), (b.x, b.y)) >= STOP_GAP - 1e-9
