"""Login throttling per account *and* address: failures from one address slow down that address's
guesses at that account, exponentially, and never lock the account for anyone else (the
per-address limit, a Flask-Limiter decorator on the view, caps guessing across accounts).

Counters live in Flask-Limiter's storage (memory://, or redis:// with several instances).
"""

from __future__ import annotations

import time

from fieldapp.extensions import limiter

FREE_FAILURES = 3  # typos cost nothing
BASE_SECONDS = 5  # the wait after the first failure past the free ones, then doubling
MAX_SECONDS = 15 * 60
FORGET_SECONDS = 60 * 60  # failures older than this (from the first one) are forgotten


def backoff_seconds(failures: int) -> int:
    """How long a pair waits after its `failures`-th consecutive failure (0: no wait)."""
    if failures < FREE_FAILURES:
        return 0
    exponent = min(failures - FREE_FAILURES, 16)  # 5 s * 2**16 is far past the cap
    return min(BASE_SECONDS * 2**exponent, MAX_SECONDS)


def _keys(username: str, address: str | None) -> tuple[str, str]:
    pair = f"{username.strip().lower()}|{address or '-'}"
    return f"login-failures:{pair}", f"login-wait:{pair}"


def wait_seconds(username: str, address: str | None) -> int:
    """Seconds this address must still wait before trying this account again (0: go ahead)."""
    _failures, wait = _keys(username, address)
    storage = limiter.storage
    if storage.get(wait) <= 0:
        return 0
    return max(1, round(storage.get_expiry(wait) - time.time()))


def failed(username: str, address: str | None) -> int:
    """Count a failed login of this pair; returns the wait it now owes, in seconds."""
    failures_key, wait_key = _keys(username, address)
    storage = limiter.storage
    failures = storage.incr(failures_key, FORGET_SECONDS)
    seconds = backoff_seconds(failures)
    if seconds:
        storage.clear(wait_key)  # a fresh expiry: the wait counts from this failure
        storage.incr(wait_key, seconds)
    return seconds


def succeeded(username: str, address: str | None) -> None:
    """A correct password: this pair's failures are forgotten."""
    for key in _keys(username, address):
        limiter.storage.clear(key)
