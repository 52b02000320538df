"""Load test: couriers syncing their day with photos while dispatchers plan, against gunicorn.

For each engine (SQLite, PostgreSQL) it makes a fresh database, migrates it, loads bench data
(`bench/load_setup.py`), starts `gunicorn -w WORKERS wsgi:app` on a free loopback port with
FIELDAPP_ENV=production, and drives it with one thread per simulated person (`requests`):

- each courier logs in (CSRF token from the form), opens its route (GET /courier/) and each stop,
  and posts the stop's actions to POST /courier/sync one by one, like the phone's queue: arrive,
  check_number, photo (a ~300 KB JPEG that does not compress away), refill, signature (PNG),
  complete; each with its own client id, retried with the same id on a network error or a 5xx,
  and some posted twice on purpose (the replay must answer the first answer, marked replayed);
- each dispatcher loads the board (GET /dispatch/) and optimises tomorrow (POST, CSRF token from
  the page), then polls the run every second (GET /dispatch/runs/<id>, as the board's htmx does)
  until the worker applied it, until the couriers are done.

The optimiser and the documents run in one `flask worker` process beside gunicorn, the queue on
a Redis server the bench starts (Debian's redis-server) — the production shape of docs/deploy.md.

It prints p50/p95/p99 per request type, errors, requests/s, the reconciliation of what the
server recorded against what was sent, and the peak RSS (VmHWM) of each gunicorn worker.
Loopback only; bounded by --seconds. Run from the repository root:

    .venv/bin/python bench/load.py                    # both engines, 50 couriers, 3 dispatchers
    .venv/bin/python bench/load.py --engine sqlite --couriers 10 --seconds 60
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_setup  # noqa: E402 - the bench's data and process helpers, next to this file

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
CSRF_FIELD = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
STOP_LINK = re.compile(r'href="(/courier/stops/\d+)"')
RUN_POLL = re.compile(r'hx-get="(/dispatch/runs/\d+)" hx-trigger="every 1s"')
HX = {"HX-Request": "true"}
PAGE_KINDS = (
    "GET /courier/",
    "GET /courier/stops/<id>",
    "GET /dispatch/",
    "GET /dispatch/runs/<id>",
    "GET /login",
)


class Stats:
    """Latencies per request type, errors and counters, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.retries = 0
        self.replays_ok = 0
        self.applied: dict[str, str] = {}  # client id -> action type, answered 200
        self.completed_stops = 0

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.times[kind].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Client:
    """One person's browser: a cookie session that times every request."""

    def __init__(self, base: str, stats: Stats, deadline: float):
        self.base, self.stats, self.deadline = base, stats, deadline
        self.http = requests.Session()

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response:
        """One timed request (redirects not followed); network errors propagate."""
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        started = time.perf_counter()
        response = self.http.request(method, self.base + path, **kwargs)
        self.stats.add(kind, time.perf_counter() - started)
        if response.status_code >= 500:
            self.stats.error(f"{kind}: HTTP {response.status_code}")
        return response

    def login(self, username: str, password: str) -> None:
        """Log in through the form, as a person would."""
        page = self.call("GET /login", "GET", "/login")
        match = CSRF_FIELD.search(page.text)
        token = match.group(1) or match.group(2)
        answer = self.call(
            "POST /login",
            "POST",
            "/login",
            data={"csrf_token": token, "username": username, "password": password},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"login {username}: HTTP {answer.status_code}")


def _sync(client: Client, action: dict, replay: bool) -> dict | None:
    """Post one action until the server answers (retrying like the phone); None when it never
    did before the deadline."""
    kind = f"POST /courier/sync {action['type']}" + (" (replay)" if replay else "")
    body = json.dumps(action)
    headers = {"Content-Type": "application/json", "Origin": client.base}
    delay = 0.5
    while time.monotonic() < client.deadline:
        try:
            answer = client.call(kind, "POST", "/courier/sync", data=body, headers=headers)
        except requests.RequestException as exc:
            client.stats.error(f"{kind}: {type(exc).__name__}")
            answer = None
        if answer is not None and answer.status_code < 500:
            return {"status": answer.status_code, **answer.json()}
        with client.stats.lock:
            client.stats.retries += 1
        time.sleep(delay)
        delay = min(delay * 2, 8)
    return None


def run_courier(base, stats, deadline, entry, password, photos, think, replay_rate, seed, delay):
    """One courier's day: log in, open the route and each stop, sync each stop's actions."""
    rng = random.Random(seed)
    client = Client(base, stats, deadline)
    time.sleep(delay)
    try:
        client.login(entry["username"], password)
        route = client.call("GET /courier/", "GET", "/courier/")
        links = STOP_LINK.findall(route.text)
        if len(links) != len(entry["stops"]):
            stats.error(f"{entry['username']}: route shows {len(links)} stops")
        for stop in entry["stops"]:
            time.sleep(rng.uniform(*think))
            page = client.call("GET /courier/stops/<id>", "GET", f"/courier/stops/{stop['job_id']}")
            if page.status_code != 200:
                stats.error(f"stop page {stop['job_id']}: HTTP {page.status_code}")
            for action in load_setup.courier_actions(stop, photos.pop(), load_setup.signature(rng)):
                time.sleep(rng.uniform(*think))
                answer = _sync(client, action, replay=False)
                if answer is None or answer["status"] != 200:
                    stats.error(f"{action['type']} on job {stop['job_id']}: {answer}")
                    continue
                with stats.lock:
                    stats.applied[action["id"]] = action["type"]
                if rng.random() < replay_rate:
                    again = _sync(client, action, replay=True)
                    if again and again["status"] == 200 and again.get("replayed"):
                        with stats.lock:
                            stats.replays_ok += 1
                    else:
                        stats.error(f"replay of {action['type']} answered {again}")
            with stats.lock:
                stats.completed_stops += 1
        client.call("GET /courier/", "GET", "/courier/")
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
        stats.error(f"{entry['username']}: {type(exc).__name__}: {exc}")


def run_dispatcher(base, stats, deadline, username, password, done, every, seed):
    """A dispatcher reloading the board and optimising tomorrow until the couriers are done."""
    rng = random.Random(seed)
    client = Client(base, stats, deadline)
    tomorrow = (datetime.now(UTC) - timedelta(hours=5) + timedelta(days=1)).date().isoformat()
    try:
        client.login(username, password)
        done.wait(rng.uniform(0, every[0]))  # the three do not press the button together
        while not done.is_set() and time.monotonic() < deadline:
            page = client.call("GET /dispatch/", "GET", f"/dispatch/?day={tomorrow}")
            token = CSRF_META.search(page.text).group(1)
            answer = client.call(
                "POST /dispatch/<day>/optimise",
                "POST",
                f"/dispatch/{tomorrow}/optimise",
                data={"csrf_token": token},
            )
            if answer.status_code != 303:
                stats.error(f"optimise: HTTP {answer.status_code}")
            # The board polls the queued run every second until the worker applied it (as
            # htmx does); the old synchronous optimise answered with the plan at once.
            board = client.call("GET /dispatch/", "GET", f"/dispatch/?day={tomorrow}")
            run = RUN_POLL.search(board.text)
            polls = 0
            while run and polls < 120 and not done.is_set():
                done.wait(1)
                polls += 1
                status = client.call("GET /dispatch/runs/<id>", "GET", run.group(1), headers=HX)
                if "every 1s" not in status.text:
                    break
            done.wait(rng.uniform(*every))
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
        stats.error(f"{username}: {type(exc).__name__}: {exc}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def bench(engine: str, args) -> dict:
    """One full run on `engine`; prints the figures and returns the summary."""
    folder = Path(tempfile.mkdtemp(prefix=f"fieldapp-load-{engine}-"))
    url, pg_name = load_setup.new_database(engine, folder)
    env = {
        **os.environ,
        "FIELDAPP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELDAPP_SECURE_COOKIES": "0",
        "DATABASE_URL": url,
        "FIELDAPP_MEDIA_ROOT": str(folder / "media"),
        "FIELDAPP_MAIL_OUTBOX_DIR": str(folder / "outbox"),
    }
    if args.routing_seconds is not None:
        env["FIELDAPP_ROUTING_SECONDS"] = str(args.routing_seconds)
    port = load_setup.free_port()
    base = f"http://127.0.0.1:{port}"
    env["FIELDAPP_PUBLIC_URL"] = base
    # The production shape: Redis carries the job queue (and the login throttling) between the
    # web workers and one `flask worker` process that runs the optimiser and issues documents.
    redis_port = load_setup.free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    env["FIELDAPP_QUEUE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    env["FIELDAPP_RATELIMIT_STORAGE_URI"] = env["FIELDAPP_QUEUE_URL"]
    print(f"\n=== {engine}: {url}")
    load_setup.run([str(VENV / "flask"), "--app", "fieldapp", "db", "upgrade"], env)
    setup = [str(VENV / "python"), "bench/load_setup.py"]
    plan = json.loads(
        load_setup.run(
            [*setup, "prepare", "--couriers", str(args.couriers), "--stops", str(args.stops)]
            + ["--dispatchers", str(args.dispatchers), "--pending", str(args.pending)],
            env,
        )
    )
    rng = random.Random(args.seed)
    base_img = Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3)).resize(
        (1280, 960), Image.BILINEAR
    )
    photos = [load_setup.photo(rng, base_img) for _ in range(args.couriers * args.stops)]
    photo_kb = sum(len(base64.b64decode(p)) for p in photos) / len(photos) / 1024

    threads = ["--threads", str(args.threads)] if args.threads > 1 else []
    worker = subprocess.Popen(
        [str(VENV / "flask"), "--app", "fieldapp", "worker"],
        env=env,
        cwd=ROOT,
        stderr=open(folder / "worker.log", "w"),  # noqa: SIM115 - closed with the process
        stdout=subprocess.DEVNULL,
    )
    gunicorn = subprocess.Popen(
        [str(VENV / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", *threads]
        + ["--log-level", "warning", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stderr=open(folder / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
    )
    try:
        for _ in range(100):
            try:
                requests.get(base + "/login", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        workers = load_setup.children(gunicorn.pid)
        stats = Stats()
        load_before = os.getloadavg()[0]
        client_cpu = time.process_time()
        started = time.monotonic()
        deadline = started + args.seconds
        done = threading.Event()
        couriers = [
            threading.Thread(
                target=run_courier,
                args=(base, stats, deadline, entry, plan["password"])
                + ([photos.pop() for _ in entry["stops"]], args.think, args.replay, i)
                + (args.ramp * i / max(1, args.couriers),),
            )
            for i, entry in enumerate(plan["couriers"])
        ]
        dispatchers = [
            threading.Thread(
                target=run_dispatcher,
                args=(
                    base,
                    stats,
                    deadline,
                    name,
                    plan["password"],
                    done,
                    args.dispatch_every,
                    1000 + i,
                ),
            )
            for i, name in enumerate(plan["dispatchers"])
        ]
        for thread in couriers + dispatchers:
            thread.start()
        for thread in couriers:
            thread.join()
        done.set()
        for thread in dispatchers:
            thread.join()
        elapsed = time.monotonic() - started
        workers = sorted(set(workers) | set(load_setup.children(gunicorn.pid)))
        peaks = {pid: load_setup.status_kb(pid, "VmHWM") for pid in workers}
        server_cpu = sum(load_setup.cpu_seconds(pid) for pid in workers)
        cpu = (server_cpu, time.process_time() - client_cpu, load_before, os.getloadavg()[0])
        master_peak = load_setup.status_kb(gunicorn.pid, "VmHWM")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        redis.terminate()
        redis.wait(10)
    server = json.loads(load_setup.run([*setup, "count"], env))
    if not args.keep:  # keep only the server log
        if pg_name:
            load_setup.drop_database(pg_name)
        shutil.rmtree(folder / "media", ignore_errors=True)
        for leftover in folder.glob("load.db*"):
            leftover.unlink()
    return report(engine, args, stats, elapsed, peaks, master_peak, server, photo_kb, folder, cpu)


def report(engine, args, stats, elapsed, peaks, master_peak, server, photo_kb, folder, cpu):
    """Print the figures of one run."""
    total = sum(len(v) for v in stats.times.values())
    print(
        f"{args.couriers} couriers x {args.stops} stops, {args.dispatchers} dispatchers, "
        f"{args.workers} gunicorn workers x {args.threads} thread(s); photos {photo_kb:.0f} KB "
        f"on average; think "
        f"{args.think[0]}-{args.think[1]} s; couriers start within {args.ramp:g} s; "
        f"optimise every {args.dispatch_every[0]:g}-{args.dispatch_every[1]:g} s"
    )
    print(f"{'request':44} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in sorted(stats.times):
        values = stats.times[kind]
        print(
            f"{kind:44} {len(values):5} {_pct(values, 0.5):8.1f} {_pct(values, 0.95):8.1f} "
            f"{_pct(values, 0.99):8.1f} {max(values) * 1000:8.1f}"
        )
    pages = [t for kind in PAGE_KINDS for t in stats.times.get(kind, [])]
    syncs = [
        t for kind, v in stats.times.items() if kind.startswith("POST /courier/sync") for t in v
    ]
    print(
        f"{'all page views (GET)':44} {len(pages):5} {_pct(pages, 0.5):8.1f} "
        f"{_pct(pages, 0.95):8.1f} {_pct(pages, 0.99):8.1f}"
    )
    print(
        f"{'all sync posts':44} {len(syncs):5} {_pct(syncs, 0.5):8.1f} "
        f"{_pct(syncs, 0.95):8.1f} {_pct(syncs, 0.99):8.1f}"
    )
    print(
        f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.1f} req/s; "
        f"errors: {len(stats.errors)}; retries: {stats.retries}; replays answered from the "
        f"record: {stats.replays_ok}"
    )
    for text in stats.errors[:10]:
        print("  error:", text)
    sent = set(stats.applied)
    recorded = set(server["sync_action_ids"])
    by_type = defaultdict(int)
    for type_ in stats.applied.values():
        by_type[type_] += 1
    attachments = server["attachments"]
    lost = len(sent - recorded)
    extra = len(recorded - sent)
    doubled = (
        max(0, attachments.get("photo", 0) - by_type["photo"])
        + max(0, attachments.get("signature", 0) - by_type["signature"])
        + max(0, server["jobs"].get("done", 0) - by_type["complete"])
    )
    print(
        f"reconciliation: actions sent (unique ids, answered 200) {len(sent)}, sync_action rows "
        f"{server['sync_actions']}; photos {by_type['photo']} sent / {attachments.get('photo', 0)} "
        f"stored; signatures {by_type['signature']} / {attachments.get('signature', 0)}; jobs "
        f"completed {by_type['complete']} / done {server['jobs'].get('done', 0)} -> "
        f"lost {lost}, unexpected {extra}, doubled {doubled}"
    )
    mb = {pid: (kb or 0) / 1024 for pid, kb in peaks.items()}
    print(
        "peak RSS (VmHWM) per worker: "
        + ", ".join(f"pid {pid} {value:.0f} MB" for pid, value in mb.items())
        + f"; master {(master_peak or 0) / 1024:.0f} MB"
    )
    print(
        f"CPU: gunicorn workers {cpu[0]:.1f} s, this driver {cpu[1]:.1f} s, in {elapsed:.1f} s on "
        f"{os.cpu_count()} cores; load average {cpu[2]:.2f} before, {cpu[3]:.2f} after"
    )
    print(f"server log: {folder / 'gunicorn.log'}")
    return {"engine": engine, "errors": len(stats.errors), "lost": lost, "doubled": doubled}


def main() -> None:
    """Parse the options and run the bench on each engine asked for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--couriers", type=int, default=50)
    parser.add_argument("--stops", type=int, default=4)
    parser.add_argument("--dispatchers", type=int, default=3)
    parser.add_argument("--pending", type=int, default=40, help="jobs for dispatch to plan")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn gthread threads")
    parser.add_argument("--seconds", type=float, default=150, help="hard bound per engine")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds a courier waits between steps (uniform)",
    )
    parser.add_argument(
        "--dispatch-every",
        type=float,
        nargs=2,
        default=(20, 40),
        metavar=("MIN", "MAX"),
        help="seconds between a dispatcher's optimisations (uniform)",
    )
    parser.add_argument(
        "--ramp", type=float, default=10, help="couriers start spread over this many seconds"
    )
    parser.add_argument("--replay", type=float, default=0.1, help="share of actions sent twice")
    parser.add_argument("--routing-seconds", type=float, default=None, help="optimiser budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and media files")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    results = [bench(engine, args) for engine in engines]
    bad = [r for r in results if r["errors"] or r["lost"] or r["doubled"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
