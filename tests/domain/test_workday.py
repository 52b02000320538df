"""The dispatcher's working day: which day the board opens on, and when today's plan starts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.workday import board_day, plan_start_min

WEDNESDAY = date(2026, 3, 4)
FRIDAY = date(2026, 3, 6)


def lima(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=LIMA_TZ)


def test_board_opens_on_today_until_the_shift_ends_then_on_the_next_working_day():
    assert board_day(lima(WEDNESDAY, 17, 59), time(18, 0)) == WEDNESDAY
    assert board_day(lima(WEDNESDAY, 18, 0), time(18, 0)) == date(2026, 3, 5)
    assert board_day(lima(FRIDAY, 19, 0), time(18, 0)) == date(2026, 3, 9)  # Monday


def test_board_day_reads_lima_time_not_utc():
    # 23:30 UTC on Wednesday is 18:30 in Lima: the shift is over.
    late = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    assert board_day(late, time(18, 0)) == date(2026, 3, 5)
    # 03:00 UTC on Thursday is still Wednesday 22:00 in Lima.
    assert board_day(datetime(2026, 3, 5, 3, 0, tzinfo=UTC), time(23, 0)) == WEDNESDAY


def test_todays_plan_starts_at_the_shift_start_or_now_whichever_is_later():
    start, end = 8 * 60 + 30, 18 * 60
    assert plan_start_min(WEDNESDAY, start, end, lima(WEDNESDAY, 7, 0)) == start
    assert plan_start_min(WEDNESDAY, start, end, lima(WEDNESDAY, 14, 30)) == 14 * 60 + 30
    assert plan_start_min(WEDNESDAY, start, end, lima(WEDNESDAY, 14, 30, 5)) == 14 * 60 + 31
    assert plan_start_min(WEDNESDAY, start, end, lima(WEDNESDAY, 19, 0)) == end


def test_another_days_plan_starts_at_the_shift_start():
    start, end = 8 * 60 + 30, 18 * 60
    assert plan_start_min(FRIDAY, start, end, lima(WEDNESDAY, 14, 30)) == start


def test_naive_times_are_refused():
    naive = lima(WEDNESDAY, 12).replace(tzinfo=None)
    with pytest.raises(ValueError):
        board_day(naive, time(18))
    with pytest.raises(ValueError):
        plan_start_min(WEDNESDAY, 0, 60, naive)
