from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.domain.deadlines import (
    LIMA_TZ,
    Deadline,
    Urgency,
    add_business_days,
    end_of_day,
    is_business_day,
    lima_date,
    met_in_time,
    peru_holidays,
    pickup_due,
    repair_due,
    return_due,
    swap_due,
    urgency,
)
from fieldapp.domain.geo import Zone


def lima(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LIMA_TZ)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=LIMA_TZ)


def test_holidays_2026() -> None:
    found = peru_holidays(2026)
    assert found[date(2026, 4, 2)] == "Jueves Santo"
    assert found[date(2026, 4, 3)] == "Viernes Santo"
    assert date(2026, 7, 28) in found
    assert date(2026, 7, 29) in found
    assert found[date(2026, 12, 8)] == "Inmaculada Concepción"
    assert date(2026, 12, 9) in found  # Batalla de Ayacucho
    assert date(2026, 12, 25) in found
    assert set(peru_holidays([2026, 2027])) >= {date(2026, 1, 1), date(2027, 1, 1)}


def test_is_business_day() -> None:
    assert is_business_day(date(2026, 3, 6))  # Friday
    assert not is_business_day(date(2026, 3, 7))  # Saturday
    assert not is_business_day(date(2026, 3, 8))  # Sunday
    assert not is_business_day(date(2026, 4, 3))  # Viernes Santo
    assert not is_business_day(date(2026, 7, 28))


def test_end_of_day() -> None:
    due = end_of_day(date(2026, 3, 7))
    assert due == eod(2026, 3, 7)
    assert due.utcoffset() == timedelta(hours=-5)


def test_lima_date_uses_lima_calendar() -> None:
    late = datetime(2026, 3, 6, 4, 30, tzinfo=UTC)  # Thursday 23:30 in Lima
    assert lima_date(late) == date(2026, 3, 5)


def test_lima_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        lima_date(datetime(2026, 3, 6, 10, 0))  # noqa: DTZ001


def test_doa_lima_counts_calendar_days() -> None:
    assert swap_due(lima(2026, 3, 6), Zone.LIMA, None) == eod(2026, 3, 7)  # Fri -> Sat


def test_doa_provinces_band_3() -> None:
    assert swap_due(lima(2026, 3, 6), Zone.PROVINCES, 3) == eod(2026, 3, 9)  # Fri -> Mon


def test_doa_provinces_needs_band() -> None:
    with pytest.raises(ValueError, match="band"):
        swap_due(lima(2026, 3, 6), Zone.PROVINCES, None)


def test_pickup_due() -> None:
    assert pickup_due(lima(2026, 3, 6), 1) == eod(2026, 3, 7)
    assert pickup_due(lima(2026, 3, 6), 2) == eod(2026, 3, 8)


def test_repair_skips_weekend() -> None:
    assert repair_due(lima(2026, 3, 5)) == eod(2026, 3, 10)  # Thu -> Tue


def test_repair_skips_fiestas_patrias() -> None:
    # Fri 24 Jul: Mon 27 (1), Tue 28 and Wed 29 holidays, Thu 30 (2), Fri 31 (3)
    assert repair_due(lima(2026, 7, 24)) == eod(2026, 7, 31)


def test_repair_skips_holy_week() -> None:
    # Tue 31 Mar: Wed 1 Apr (1), Thu 2 and Fri 3 holidays, weekend, Mon 6 (2), Tue 7 (3)
    assert repair_due(lima(2026, 3, 31)) == eod(2026, 4, 7)


def test_repair_skips_inmaculada_and_ayacucho() -> None:
    # Mon 7 Dec: Tue 8 and Wed 9 holidays, Thu 10 (1), Fri 11 (2), Mon 14 (3)
    assert repair_due(lima(2026, 12, 7)) == eod(2026, 12, 14)


def test_repair_across_new_year() -> None:
    # Wed 30 Dec: Thu 31 (1), Fri 1 Jan holiday, Mon 4 (2), Tue 5 (3)
    assert repair_due(lima(2026, 12, 30)) == eod(2027, 1, 5)


def test_repair_late_night_reception_counts_lima_date() -> None:
    received = datetime(2026, 3, 6, 4, 30, tzinfo=UTC)  # Thu 5 Mar 23:30 in Lima
    assert repair_due(received) == eod(2026, 3, 10)


def test_return_after_friday_repair_is_monday() -> None:
    assert return_due(lima(2026, 3, 6, 17)) == eod(2026, 3, 9)


def test_return_after_christmas_eve() -> None:
    assert return_due(lima(2026, 12, 24)) == eod(2026, 12, 28)


def test_deadlines_are_aware_in_lima() -> None:
    due = repair_due(lima(2026, 3, 5))
    assert due.tzinfo is LIMA_TZ


def test_add_business_days_zero_and_negative() -> None:
    assert add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        add_business_days(date(2026, 3, 7), -1)


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(1, 30))
def test_add_business_days_properties(start: date, n: int) -> None:
    result = add_business_days(start, n)
    assert result > start
    assert is_business_day(result)
    days = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(is_business_day(d) for d in days) == n


START = lima(2026, 3, 5, 8)
DUE = lima(2026, 3, 5, 18)  # a 10-hour window


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (lima(2026, 3, 5, 7), Urgency.ON_TRACK),  # before the window
        (lima(2026, 3, 5, 15), Urgency.ON_TRACK),  # 70% elapsed
        (lima(2026, 3, 5, 15, 30), Urgency.ON_TRACK),  # exactly 25% left
        (lima(2026, 3, 5, 16), Urgency.AT_RISK),  # 80% elapsed
        (DUE, Urgency.AT_RISK),
        (DUE + timedelta(seconds=1), Urgency.OVERDUE),
    ],
)
def test_urgency(now: datetime, expected: Urgency) -> None:
    assert urgency(START, DUE, now) is expected


def test_urgency_done() -> None:
    assert urgency(START, DUE, lima(2026, 3, 6), done_at=lima(2026, 3, 5, 12)) is Urgency.DONE
    assert urgency(START, DUE, lima(2026, 3, 6), done_at=DUE) is Urgency.DONE


def test_done_late_is_missed_not_done() -> None:
    # A DOA closed a day late: every screen must say it missed its deadline.
    late = DUE + timedelta(days=1)
    assert urgency(START, DUE, late, done_at=late) is Urgency.MISSED
    assert not met_in_time(DUE, late) and met_in_time(DUE, DUE)


def test_deadline_status() -> None:
    deadline = Deadline("repair", START, DUE)
    assert deadline.status(lima(2026, 3, 5, 16)) is Urgency.AT_RISK
    assert deadline.status(lima(2026, 3, 5, 16), risk_fraction=0.1) is Urgency.ON_TRACK
