"""Maps drawn from coordinates alone (SVG, no tiles, no network): a route on a document, the
day's plan on the dispatch page. Plain values in, SVG user units out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LatLon = tuple[float, float]
# Stops are drawn as circles of radius 9: closer than this, one would hide the other.
STOP_GAP = 20.0
# One colour per courier, distinguishable for the common colour-vision deficiencies.
PALETTE = ("#0b5cab", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a4f9e", "#444")


@dataclass(frozen=True)
class MapPoint:
    """A point placed on the map (SVG user units)."""

    x: float
    y: float
    label: str


def fit(
    points: Sequence[LatLon], width: int, height: int, margin: int
) -> Callable[[LatLon, str], MapPoint]:
    """A projection of (lat, lon) into a `width`×`height` box keeping the aspect (equirectangular
    with the longitude scaled by cos(latitude))."""
    lats = [p[0] for p in points] or [0.0]
    lons = [p[1] for p in points] or [0.0]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    span_x = max((max(lons) - min(lons)) * math.cos(mid_lat), 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def place(point: LatLon, label: str) -> MapPoint:
        x = off_x + (point[1] - min(lons)) * math.cos(mid_lat) * scale
        y = off_y + (max(lats) - point[0]) * scale
        return MapPoint(x, y, label)

    return place


def fan_out(points: Sequence[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Spread points that lie closer than `gap` to one another evenly on a circle around their
    group's centre (in order, starting at the top), so no stop hides another; others stay put."""
    groups: list[list[int]] = []
    for index, point in enumerate(points):
        near = next((g for g in groups if any(math.dist(point, points[j]) < gap for j in g)), None)
        if near is None:
            groups.append([index])
        else:
            near.append(index)
    spread = list(points)
    for group in groups:
        if len(group) < 2:
            continue
        cx = sum(points[i][0] for i in group) / len(group)
        cy = sum(points[i][1] for i in group) / len(group)
        # Neighbours on the circle stay at least `gap` apart.
        radius = max(gap, gap / (2 * math.sin(math.pi / len(group))))
        for k, i in enumerate(group):
            angle = 2 * math.pi * k / len(group) - math.pi / 2
            spread[i] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return spread


@dataclass(frozen=True)
class RouteMap:
    """One route: its base and its stops in order, and the colour it is drawn in."""

    base: MapPoint | None
    stops: list[MapPoint]
    colour: str = PALETTE[0]
    name: str = ""

    @property
    def polyline(self) -> str:
        """The `points` attribute of the line base → stops → base."""
        ends = [self.base] if self.base else []
        points = ends + self.stops + (ends if self.stops else [])
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


@dataclass(frozen=True)
class PlanMap:
    """Several routes (and loose points, such as jobs not planned) in one box."""

    width: int
    height: int
    routes: list[RouteMap]
    loose: list[MapPoint]


def plan_map(
    routes: Sequence[tuple[str, LatLon | None, Sequence[LatLon]]],
    loose: Sequence[LatLon] = (),
    width: int = 640,
    height: int = 420,
    margin: int = 16,
) -> PlanMap:
    """Lay out routes given as (name, base, stops) with one colour each, plus loose points."""
    everything = [p for _, base, stops in routes for p in ([base] if base else []) + list(stops)]
    place = fit(everything + list(loose), width, height, margin)
    # Stops at one address (or one district's centre) fan out instead of hiding each other.
    placed = [place(p, str(n)) for _, _, stops in routes for n, p in enumerate(stops, start=1)]
    placed += [place(point, "") for point in loose]
    spread = iter(
        MapPoint(x, y, p.label)
        for (x, y), p in zip(fan_out([(p.x, p.y) for p in placed], STOP_GAP), placed, strict=True)
    )
    drawn = [
        RouteMap(
            base=place(base, "B") if base else None,
            stops=[next(spread) for _ in stops],
            colour=PALETTE[index % len(PALETTE)],
            name=name,
        )
        for index, (name, base, stops) in enumerate(routes)
    ]
    return PlanMap(width, height, drawn, list(spread))
