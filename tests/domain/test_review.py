"""Flags a supervisor sees on a closed job, decided without an app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fieldapp.domain.geo import Zone
from fieldapp.domain.review import Flag, JobFacts, Thresholds, max_skew_minutes, review

AT = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


def facts(**overrides) -> JobFacts:
    values = {
        "expected_service_number": "T123456",
        "checked_service_number": "T123456",
        "zone": Zone.LIMA,
        "distance_km": 2.5,
        "server_times": (AT,),
        "device_times": (AT + timedelta(minutes=2),),
        "due_at": AT + timedelta(hours=5),
        "completed_at": AT,
    }
    values.update(overrides)
    return JobFacts(**values)


def test_a_clean_job_has_no_flags_and_met_its_deadline():
    result = review(facts())
    assert result.flags == () and result.clean and result.approvable
    assert result.deadline_met is True and result.skew_minutes == 2.0


def test_missing_evidence_blocks_approval():
    result = review(facts(missing=("obtener la firma",)))
    assert Flag.MISSING_EVIDENCE in result.flags and not result.approvable


def test_service_number_mismatch_ignores_case():
    assert review(facts(checked_service_number="t123456")).clean
    assert review(facts(checked_service_number="T654321")).flags == (Flag.SERVICE_NUMBER_MISMATCH,)


def test_far_threshold_depends_on_zone():
    assert review(facts(distance_km=31)).flags == (Flag.FAR_FROM_DISTRICT,)
    assert review(facts(distance_km=31, zone=Zone.PROVINCES)).clean
    assert review(facts(distance_km=81, zone=Zone.PROVINCES)).flags == (Flag.FAR_FROM_DISTRICT,)
    assert review(facts(distance_km=31), Thresholds(far_km_lima=40)).clean


def test_no_position_is_flagged():
    assert review(facts(distance_km=None)).flags == (Flag.NO_POSITION,)


def test_clock_skew_over_ten_minutes():
    late = facts(device_times=(AT - timedelta(minutes=11),))
    assert review(late).flags == (Flag.CLOCK_SKEW,) and review(late).skew_minutes == 11.0
    assert max_skew_minutes((AT, None), (None, AT)) is None


def test_deadline_missed():
    result = review(facts(due_at=AT - timedelta(minutes=1)))
    assert result.flags == (Flag.DEADLINE_MISSED,) and result.deadline_met is False
