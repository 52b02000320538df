"""Running the worker: Dramatiq worker threads plus the periodic schedule (APScheduler), either
as its own process (`flask worker`, production) or inside the web process (`flask serve`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from fieldapp.domain.deadlines import LIMA_TZ

log = logging.getLogger(__name__)

# Every job the schedule sends is idempotent, so two workers sending it is harmless.
SCHEDULE = (
    ("sweep", {"trigger": "interval", "seconds": 60}),
    ("check_deadlines", {"trigger": "interval", "minutes": 15}),
    ("anonymise", {"trigger": "cron", "hour": 3, "minute": 0}),
)


@dataclass
class RunningWorker:
    """A started worker: its threads and its schedule."""

    worker: dramatiq.Worker
    scheduler: BackgroundScheduler | None

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Stop the schedule, then let running jobs finish (up to `timeout_ms`)."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.worker.stop(timeout=timeout_ms)


def start(app: Flask, *, threads: int | None = None, schedule: bool = True) -> RunningWorker:
    """Start consuming the app's queue in this process (and the schedule, unless told not to).
    The sweep runs once at start, so work left by a stopped server is picked up at once."""
    queue = app.extensions["fieldapp_queue"]
    worker = dramatiq.Worker(
        queue.broker,
        worker_threads=threads or app.config["WORKER_THREADS"],
        worker_timeout=500,
    )
    worker.start()
    scheduler = None
    if schedule:
        scheduler = BackgroundScheduler(timezone=LIMA_TZ)
        for job, trigger in SCHEDULE:
            first = {"next_run_time": datetime.now(LIMA_TZ)} if job == "sweep" else {}
            scheduler.add_job(queue.send, args=(job,), id=job, **trigger, **first)
        scheduler.start()
    log.info("worker started (%s broker)", "in-memory" if queue.embedded else "Redis")
    return RunningWorker(worker, scheduler)
