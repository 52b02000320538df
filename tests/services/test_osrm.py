"""The OSRM table client against a tiny OSRM-like server on loopback, and the geodesic fallback."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fieldapp.domain.geo import Zone
from fieldapp.domain.routing import Point, TravelModel
from fieldapp.infra import osrm

SAN_ISIDRO = Point(-12.0977, -77.0365)
MIRAFLORES = Point(-12.1211, -77.0297)
POINTS = [
    SAN_ISIDRO,
    MIRAFLORES,
    Point(-12.0464, -77.0428),
    Point(-12.0566, -77.1181),
    Point(-12.1590, -76.9710),
    Point(-8.1116, -79.0288, Zone.PROVINCES),
]


def fake_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Manhattan distance in degrees × 100 km: what the fake server answers."""
    return round((abs(a[0] - b[0]) + abs(a[1] - b[1])) * 100_000, 1)


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table/v1/driving/... like osrm-routed; `server.mode` picks a failure."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.paths.append(self.path)
        mode = self.server.mode
        if mode == "slow":
            time.sleep(1.0)
            return  # the client has given up by now
        if mode == "http500":
            self.send_error(500)
            return
        url = urllib.parse.urlsplit(self.path)
        coords = url.path.split("/")[-1].split(";")
        lonlat = [tuple(float(x) for x in c.split(",")) for c in coords]
        query = urllib.parse.parse_qs(url.query)
        sources = [int(x) for x in query["sources"][0].split(";")]
        destinations = [int(x) for x in query["destinations"][0].split(";")]
        metres = [[fake_metres(lonlat[s], lonlat[d]) for d in destinations] for s in sources]
        body: dict = {
            "code": "Ok",
            "distances": metres,
            "durations": [[m / 10 for m in row] for row in metres],
        }
        if mode == "no_route":
            body["distances"][0][-1] = None
        if mode == "bad_code":
            body = {"code": "TooBig", "message": "Too many table coordinates"}
        payload = b"{not json" if mode == "garbage" else json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    httpd.mode = "ok"
    httpd.paths = []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def url_of(httpd: ThreadingHTTPServer) -> str:
    host, port = httpd.server_address[:2]
    return f"http://{host}:{port}"


def expected(points: list[Point]) -> list[list[float]]:
    return [[fake_metres((a.lon, a.lat), (b.lon, b.lat)) for b in points] for a in points]


def test_table_returns_metres_and_minutes(server) -> None:
    distance, duration = osrm.table(url_of(server), POINTS[:3])
    assert distance == expected(POINTS[:3])
    assert duration[0][1] == pytest.approx(distance[0][1] / 10 / 60)
    assert len(server.paths) == 1
    path = server.paths[0]
    assert path.startswith("/table/v1/driving/-77.036500,-12.097700;-77.029700,-12.121100;")
    assert "annotations=distance,duration" in path


def test_big_tables_are_fetched_in_blocks(server) -> None:
    whole = osrm.table(url_of(server), POINTS)
    blocks = osrm.table(url_of(server), POINTS, max_locations=4)
    assert blocks == whole
    assert blocks[0] == expected(POINTS)
    assert len(server.paths) == 1 + 9  # 6 points in blocks of 2: 3 × 3 requests


@pytest.mark.parametrize("mode", ["http500", "bad_code", "no_route", "garbage"])
def test_any_bad_answer_gives_none(server, mode) -> None:
    server.mode = mode
    assert osrm.table(url_of(server), POINTS[:3]) is None


def test_slow_server_times_out(server) -> None:
    server.mode = "slow"
    started = time.perf_counter()
    assert osrm.table(url_of(server), POINTS[:3], timeout=0.2) is None
    assert time.perf_counter() - started < 0.9


def test_only_http_urls(server) -> None:
    assert osrm.table("file:///etc/passwd", POINTS[:2]) is None
    assert server.paths == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_server_down_falls_back_to_geodesic() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    assert osrm.table(url, POINTS) is None
    distance, duration, source = osrm.travel_matrices(POINTS, TravelModel(), url, timeout=0.5)
    assert source == "geodesic"
    assert (distance, duration) == TravelModel().matrices(POINTS)


def test_server_up_is_used(server) -> None:
    distance, _, source = osrm.travel_matrices(POINTS[:3], url=url_of(server))
    assert source == "osrm"
    assert distance == expected(POINTS[:3])


def test_no_url_means_geodesic() -> None:
    distance, _, source = osrm.travel_matrices(POINTS[:2])
    assert source == "geodesic"
    assert distance[0][1] == pytest.approx(TravelModel().leg(SAN_ISIDRO, MIRAFLORES)[0])
