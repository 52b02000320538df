"""Background work: the jobs, the queue they run on, the periodic schedule and the worker.

Besides the request boundary (`fieldapp.transaction`), this package is the only code that
commits: each job wraps its units of work in `unit_of_work()`.
"""

from fieldapp.worker.queue import JobQueue, init_app

__all__ = ["JobQueue", "init_app"]
