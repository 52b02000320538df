"""The Dramatiq broker and actors of one app: Redis when FIELDAPP_QUEUE_URL is set, in memory
otherwise (the embedded default, consumed by worker threads in the web process)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries
from flask import Flask

from fieldapp.worker import jobs
from fieldapp.worker.failures import FailureLog


class JobQueue:
    """The broker and one Dramatiq actor per job of `jobs.JOBS`, each run in an app context."""

    def __init__(self, app: Flask) -> None:
        url = app.config["QUEUE_URL"]
        self.embedded = not url
        self.broker: dramatiq.Broker = (
            StubBroker() if self.embedded else RedisBroker(url=url, namespace="fieldapp")
        )
        self.broker.add_middleware(FailureLog(app), before=Retries)
        self.actors: dict[str, dramatiq.Actor] = {
            name: dramatiq.actor(
                _in_app_context(app, spec.run),
                actor_name=name,
                queue_name=spec.queue,
                broker=self.broker,
                max_retries=spec.max_retries,
                min_backoff=spec.min_backoff_ms,
                max_backoff=spec.max_backoff_ms,
                time_limit=spec.time_limit_ms,
            )
            for name, spec in jobs.JOBS.items()
        }

    def send(self, job: str, *args, delay_ms: int | None = None) -> None:
        """Queue `job(*args)`, after `delay_ms` when given.

        :raises KeyError: for an unknown job.
        """
        self.actors[job].send_with_options(args=args, delay=delay_ms)


def _in_app_context(app: Flask, run: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(run)
    def job(*args):
        with app.app_context():
            run(*args)

    return job


def init_app(app: Flask) -> None:
    """Give `app` its job queue (`app.extensions["fieldapp_queue"]`)."""
    app.extensions["fieldapp_queue"] = JobQueue(app)
