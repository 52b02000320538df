"""Time the PDF renders: a DOA delivery note and a 40-stop route sheet, on one core.

Usage: python bench/documents.py [--runs N] [--stops S] [--all-cores] [--write DIR]

Renders through the app's own templates, fetcher and QR code (`fieldapp.infra.pdf_render`),
with a real signature image in a temporary media folder, and prints the median and p95 of the
wall time of each render (targets: delivery note <= 150 ms median, route sheet <= 1.5 s).
`--write DIR` also saves one PDF of each for a look.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw  # noqa: E402

from fieldapp import create_app  # noqa: E402
from fieldapp.domain.mapping import plan_map
from fieldapp.infra import (
    media,  # noqa: E402
    pdf_render,
)

TARGETS = {"delivery note": 0.150, "route sheet": 1.5}


def signature_png() -> bytes:
    """A 480x180 signature-like scribble."""
    image = Image.new("RGB", (480, 180), "white")
    draw = ImageDraw.Draw(image)
    rng = random.Random(7)
    points = [(20 + i * 11, 90 + rng.randint(-60, 60)) for i in range(40)]
    draw.line(points, "black", 4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def common(number: str, title: str) -> dict:
    """Header, footer and QR values every document prints."""
    return {
        "st": {
            "name": "Alternativa Tecnológica S.A.C.",
            "ruc": "20419653471",
            "address": "Av. José Gálvez Barrenechea 134, San Isidro, Lima",
        },
        "title": title,
        "number": number,
        "issued_at": "25/11/2026 10:42",
        "short_code": "K7QH-3MZP",
        "verify_url": "https://st.example.pe/d/K7QH-3MZP",
        "qr": pdf_render.qr_svg("https://st.example.pe/d/x2v9Qk3Lw0bT5nJ8rD1fA6sY4uE7hC2m"),
        "supersedes": None,
    }


def delivery_context(signature_url: str) -> dict:
    """The values of a DOA delivery note."""
    return {
        **common("NE-2026-000123", "Nota de entrega – cambio DOA"),
        "case": {
            "id": "C-000321",
            "number": "KCC-2026-118734",
            "flow": "DOA Lima",
            "service_number": "T123456",
            "model": "ESP C310",
            "brand": "Kodak",
            "customer_name": "María Fernanda Flores Quispe",
            "customer_document": "45678912",
            "customer_phone": "987 654 321",
            "customer_address": "Av. Arequipa 1234, dpto. 502",
            "district": "Lince, Lima (Lima)",
            "store": "",
            "proof": "Boleta B001-004567",
            "purchase_date": "20/11/2026",
        },
        "job": {
            "kind": "Cambio DOA",
            "attempt": 1,
            "address": "Av. Arequipa 1234, dpto. 502",
            "district": "Lince, Lima (Lima)",
            "gps": "-12.08612, -77.03456 (±8 m)",
            "arrived_at": "25/11/2026 10:21",
            "completed_at": "25/11/2026 10:38",
            "courier": "Carlos Ríos",
            "unit_out": "C765432",
            "unit_in": "T123456",
            "accessories": "Cable de poder, cable USB",
            "refilled": "No",
            "signer_name": "María Fernanda Flores Quispe",
            "signer_document": "45678912",
            "signature": signature_url,
            "photos": [],
            "failure": "",
            "note": "",
        },
    }


def route_context(stops: int) -> dict:
    """The values of a route sheet with `stops` stops spread over Lima."""
    rng = random.Random(11)
    points = [(-12.05 - rng.random() * 0.15, -77.10 + rng.random() * 0.15) for _ in range(stops)]
    rows = [
        {
            "sequence": n,
            "kind": rng.choice(["Cambio DOA", "Recojo", "Devolución"]),
            "case_number": f"KCC-2026-{118000 + n}",
            "service_number": f"T{100000 + n * 37}",
            "name": f"Cliente de prueba número {n}",
            "phone": "987 654 321",
            "address": f"Jr. Los Geranios {100 + n}, urb. Santa Catalina",
            "district": "La Victoria, Lima (Lima)",
            "window": f"{9 + n // 6:02d}:00–{10 + n // 6:02d}:00",
            "carry": "Llevar equipo nuevo; recoger el equipo fallado",
        }
        for n in range(1, stops + 1)
    ]
    return {
        **common("HR-2026-000045", "Hoja de ruta"),
        "route": {
            "day": "26/11/2026",
            "courier": "Carlos Ríos",
            "vehicle": "motorcycle",
            "base": "Mostrador San Isidro",
            "distance_km": "84.2",
            "stops": rows,
            "map": plan_map([("", (-12.0977, -77.0365), points)], width=480, height=190, margin=14),
        },
    }


def timed(render, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU times of `runs` renders, after one warm-up render (fonts, templates).

    CPU time is printed beside wall time because a shared machine inflates the wall clock.
    """
    render()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        render()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    """Parse the options, render, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stops", type=int, default=40)
    parser.add_argument("--all-cores", action="store_true", help="Do not pin to one core.")
    parser.add_argument("--write", type=Path, help="Save one PDF of each in this folder.")
    args = parser.parse_args()
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "FIELDAPP_ENV": "testing",
                "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijkl",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "MEDIA_ROOT": f"{folder}/media",
            }
        )
        with app.app_context():
            sha256 = media.store(signature_png(), "image/png")
            note = delivery_context(pdf_render.media_url(sha256, "image/png"))
            sheet = route_context(args.stops)
            cases = {
                "delivery note": lambda: pdf_render.render("doa_delivery", **note),
                "route sheet": lambda: pdf_render.render("route_sheet", **sheet),
            }
            cores = "all cores" if args.all_cores else "1 core"
            print(f"PDF render, {args.runs} runs each after a warm-up, {cores}:")
            for name, render in cases.items():
                times, cpu = timed(render, args.runs)
                median, high = statistics.median(times), p95(times)
                verdict = "ok" if median <= TARGETS[name] else "OVER TARGET"
                label = f"{name} ({args.stops} stops)" if name == "route sheet" else name
                print(
                    f"  {label:<24} median {median * 1000:7.1f} ms   p95 {high * 1000:7.1f} ms"
                    f"   (CPU median {statistics.median(cpu) * 1000:6.1f} ms, p95"
                    f" {p95(cpu) * 1000:6.1f} ms)   target {TARGETS[name] * 1000:.0f} ms: {verdict}"
                )
                if args.write:
                    args.write.mkdir(parents=True, exist_ok=True)
                    (args.write / f"{name.replace(' ', '_')}.pdf").write_bytes(render())


if __name__ == "__main__":
    main()
