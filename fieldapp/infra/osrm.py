"""Road distances and times from an OSRM server's `table` service, with the geodesic fallback.

`table()` returns None on any failure (no server, timeout, HTTP error, malformed or partial
answer), so planning never waits long on a road server and never fails because of one.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
import urllib.request
from collections.abc import Sequence

from fieldapp.domain.routing import Point, TravelModel

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
# osrm-routed's default --max-table-size; bigger tables are fetched in blocks.
DEFAULT_MAX_LOCATIONS = 100

Matrices = tuple[list[list[float]], list[list[float]]]


def table(
    base_url: str,
    points: Sequence[Point],
    *,
    profile: str = "driving",
    timeout: float = DEFAULT_TIMEOUT,
    max_locations: int = DEFAULT_MAX_LOCATIONS,
) -> Matrices | None:
    """Return (metres, minutes) matrices between the points from OSRM, or None on any failure."""
    n = len(points)
    if n == 0:
        return [], []
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        log.warning("OSRM URL must be http(s): %r", base_url)
        return None
    block = n if n <= max_locations else max(1, max_locations // 2)
    chunks = [list(range(start, min(start + block, n))) for start in range(0, n, block)]
    distance = [[0.0] * n for _ in range(n)]
    duration = [[0.0] * n for _ in range(n)]
    try:
        for sources in chunks:
            for destinations in chunks:
                _fill(base_url, profile, points, sources, destinations, timeout, distance, duration)
    except (OSError, ValueError, KeyError, TypeError, IndexError, http.client.HTTPException) as exc:
        log.warning("OSRM table failed, using the geodesic model: %s", exc)
        return None
    return distance, duration


def _fill(
    base_url: str,
    profile: str,
    points: Sequence[Point],
    sources: list[int],
    destinations: list[int],
    timeout: float,
    distance: list[list[float]],
    duration: list[list[float]],
) -> None:
    """Fetch one block of the table into the matrices.

    :raises ValueError: if the answer is not a complete OSRM table.
    """
    ids = sources + [i for i in destinations if i not in sources]
    coords = ";".join(f"{points[i].lon:.6f},{points[i].lat:.6f}" for i in ids)
    query = urllib.parse.urlencode(
        {
            "annotations": "distance,duration",
            "sources": ";".join(str(ids.index(i)) for i in sources),
            "destinations": ";".join(str(ids.index(i)) for i in destinations),
        },
        safe=";,",
    )
    url = f"{base_url.rstrip('/')}/table/v1/{profile}/{coords}?{query}"
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked)
        answer = json.loads(response.read().decode("utf-8"))
    if answer.get("code") != "Ok":
        raise ValueError(f"OSRM answered {answer.get('code')!r}")
    metres, seconds = answer["distances"], answer["durations"]
    if len(metres) != len(sources) or len(seconds) != len(sources):
        raise ValueError("OSRM table has the wrong number of rows")
    for r, i in enumerate(sources):
        if len(metres[r]) != len(destinations) or len(seconds[r]) != len(destinations):
            raise ValueError("OSRM table has the wrong number of columns")
        for c, j in enumerate(destinations):
            if metres[r][c] is None or seconds[r][c] is None:
                raise ValueError("OSRM found no road between two points")
            distance[i][j] = float(metres[r][c])
            duration[i][j] = float(seconds[r][c]) / 60.0


def travel_matrices(
    points: Sequence[Point],
    travel: TravelModel | None = None,
    url: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[list[list[float]], list[list[float]], str]:
    """Return (metres, minutes, source): OSRM's table if `url` is set and answers, else geodesic."""
    if url:
        found = table(url, points, timeout=timeout)
        if found is not None:
            return found[0], found[1], "osrm"
    distance, duration = (travel or TravelModel()).matrices(points)
    return distance, duration, "geodesic"
