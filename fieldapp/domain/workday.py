"""The dispatcher's working day: which day the board opens on, and from when today's plan starts."""

from __future__ import annotations

from datetime import date, datetime, time

from fieldapp.domain.deadlines import LIMA_TZ, add_business_days


def board_day(now: datetime, shift_end: time) -> date:
    """The day the dispatch board opens on: today (Lima) until the shift ends, then the next
    working day.

    :raises ValueError: if `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    local = now.astimezone(LIMA_TZ)
    if local.time() < shift_end:
        return local.date()
    return add_business_days(local.date(), 1)


def plan_start_min(day: date, shift_start_min: float, shift_end_min: float, now: datetime) -> float:
    """Minutes from `day`'s midnight at which a courier's plan may start: the shift start, or now
    when `day` is today and its shift has begun (capped at the shift end: no ETAs in the past).

    :raises ValueError: if `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    local = now.astimezone(LIMA_TZ)
    if local.date() != day:
        return shift_start_min
    minutes = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
    return min(max(shift_start_min, minutes), shift_end_min)
