"""Solve Solomon VRPTW instances through the app's planning code and print the gap to the BKS.

Usage: python bench/routing.py DIR [--seconds S] [--seed N] [--bks FILE]

Each `*.txt` instance in DIR becomes couriers (one per vehicle, all at the depot, shift = the
depot's horizon) and job requests (demand as delivery, ready/due as the service-start window),
with Euclidean matrices; `fieldapp.domain.routing.plan` solves it exactly as it solves a dispatch
day. One unit of Solomon distance is passed as 1000 m, so the solver keeps three decimals (the
README's "x1000, rounded"); the distance printed is replayed in double precision.

The gap is measured against DIR/BKS.csv by default: the distance-minimising best-known solutions
(vehicle count free), which is what this solver optimises. Vehicles-first tables
(BKS_hierarchical.csv) are not comparable.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldapp.domain.routing import Courier, Depot, JobRequest, Plan, plan  # noqa: E402

BKS_KINDS = {
    "BKS.csv": "distance-minimising BKS, vehicle count free",
    "BKS_hierarchical.csv": "vehicles-first BKS: not what this solver minimises",
    "BKS_dimacs.csv": "DIMACS BKS, edges truncated to 1 decimal: not comparable",
}


def read_solomon(path: Path) -> dict | None:
    """Return name, fleet size, capacity and customer rows of a Solomon file (None if not one)."""
    lines = [line.split() for line in path.read_text().splitlines()]
    lines = [parts for parts in lines if parts]
    heads = {parts[0] for parts in lines}
    if not {"VEHICLE", "NUMBER", "CUSTOMER"} <= heads:
        return None
    name = lines[0][0]
    number_at = next(i for i, parts in enumerate(lines) if parts[0] == "NUMBER")
    vehicles, capacity = (int(x) for x in lines[number_at + 1][:2])
    rows = [[float(x) for x in parts] for parts in lines if parts[0].isdigit() and len(parts) == 7]
    return {"name": name, "vehicles": vehicles, "capacity": capacity, "rows": rows}


def build(instance: dict) -> tuple[list[Courier], list[JobRequest], tuple[list, list]]:
    """Return couriers, jobs and (metres, minutes) matrices for a Solomon instance."""
    depot_row, *customers = instance["rows"]
    _, x0, y0, _, ready0, due0, _ = depot_row
    depot = Depot(id="0", lat=y0, lon=x0)
    couriers = [
        Courier(
            id=f"v{i + 1}",
            depot=depot,
            shift_start_min=ready0,
            shift_end_min=due0,
            capacity=instance["capacity"],
        )
        for i in range(instance["vehicles"])
    ]
    jobs = [
        JobRequest(
            id=str(int(row[0])),
            lat=row[2],
            lon=row[1],
            service_min=row[6],
            delivery=int(row[3]),
            window=(row[4], row[5]),
        )
        for row in customers
    ]
    points = [(x0, y0)] + [(row[1], row[2]) for row in customers]
    units = [[math.dist(a, b) for b in points] for a in points]
    metres = [[1000.0 * d for d in row] for row in units]
    return couriers, jobs, (metres, units)


def read_bks(path: Path) -> dict[str, tuple[int, float]]:
    """Return instance -> (vehicles, distance) from a BKS csv, or {} if it is missing."""
    if not path.exists():
        return {}
    with path.open(newline="") as fh:
        return {
            r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(fh)
        }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per instance, then the mean gap."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bks", type=Path, help="BKS csv (default DIR/BKS.csv)")
    args = parser.parse_args(argv)
    bks_path = args.bks or args.dir / "BKS.csv"
    bks = read_bks(bks_path)
    kind = BKS_KINDS.get(bks_path.name, "best-known solutions")
    source = f"{bks_path.name} ({kind})" if bks else "no BKS file"
    print(f"# {args.seconds:g} s per instance, seed {args.seed}; gap vs {source}")
    print("# NAME distance vehicles bks gap%")
    gaps = []
    for path in sorted(args.dir.glob("*.txt")):
        instance = read_solomon(path)
        if instance is None:
            continue
        couriers, jobs, matrices = build(instance)
        result: Plan = plan(couriers, jobs, matrices=matrices, seconds=args.seconds, seed=args.seed)
        distance = result.distance_m / 1000.0
        missing = f" UNPLANNED={len(result.unplanned)}" if result.unplanned else ""
        name = instance["name"]
        if name in bks:
            best = bks[name][1]
            gap = 100.0 * (distance - best) / best
            gaps.append(gap)
            shown = round(gap, 2) + 0.0  # no "-0.00%" when the BKS is rounded up
            line = f"{name} {distance:.2f} {len(result.routes)} {best:.2f} {shown:.2f}%{missing}"
            print(line, flush=True)
        else:
            print(f"{name} {distance:.2f} {len(result.routes)} - -{missing}", flush=True)
    if gaps:
        print(f"mean_gap={sum(gaps) / len(gaps):.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
