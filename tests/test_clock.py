"""The suite's pinned clock (FIELDAPP_TEST_NOW), which CI sets to 23:55 and 00:05 Lima."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fieldapp.domain.deadlines import LIMA_TZ
from tests.conftest import PINNED_NOW, pinned_now


def test_a_time_alone_is_that_time_today_in_lima():
    moment = pinned_now("00:05")
    assert moment.tzinfo is LIMA_TZ and (moment.hour, moment.minute) == (0, 5)
    assert pinned_now("2026-12-01T23:55:00") == datetime(2026, 12, 1, 23, 55, tzinfo=LIMA_TZ)
    assert pinned_now("") is None


@pytest.mark.skipif(PINNED_NOW is None, reason="FIELDAPP_TEST_NOW is not set")
def test_each_test_starts_at_the_pinned_time():
    assert abs(datetime.now(LIMA_TZ) - PINNED_NOW) < timedelta(minutes=1)
