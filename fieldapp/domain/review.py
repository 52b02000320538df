"""Review of a closed job: the flags a supervisor must look at before approving it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fieldapp.domain.deadlines import met_in_time
from fieldapp.domain.geo import Zone


class Flag(StrEnum):
    """Something in a closed job's evidence that needs a supervisor's eye."""

    MISSING_EVIDENCE = "missing_evidence"
    SERVICE_NUMBER_MISMATCH = "service_number_mismatch"
    FAR_FROM_DISTRICT = "far_from_district"
    NO_POSITION = "no_position"
    CLOCK_SKEW = "clock_skew"
    DEADLINE_MISSED = "deadline_missed"


FLAG_LABELS: dict[Flag, str] = {
    Flag.MISSING_EVIDENCE: "Falta evidencia",
    Flag.SERVICE_NUMBER_MISMATCH: "N.º de servicio no coincide",
    Flag.FAR_FROM_DISTRICT: "Lejos del distrito del cliente",
    Flag.NO_POSITION: "Sin posición GPS",
    Flag.CLOCK_SKEW: "Hora del teléfono distinta a la del servidor",
    Flag.DEADLINE_MISSED: "Plazo incumplido",
}


@dataclass(frozen=True)
class Thresholds:
    """Review settings: how far from the district and how much clock skew is acceptable."""

    far_km_lima: float = 30.0
    far_km_provinces: float = 80.0
    skew_minutes: float = 10.0


@dataclass(frozen=True)
class JobFacts:
    """Plain facts about a closed job, enough to flag it."""

    expected_service_number: str
    checked_service_number: str | None
    zone: Zone
    distance_km: float | None  # arrival point to the customer's district; None without GPS
    server_times: tuple[datetime | None, ...] = ()
    device_times: tuple[datetime | None, ...] = ()
    due_at: datetime | None = None
    completed_at: datetime | None = None
    missing: tuple[str, ...] = ()
    by_carrier: bool = False  # sent by agency: no courier position to check


@dataclass(frozen=True)
class Review:
    """The flags of one job and the numbers behind them."""

    flags: tuple[Flag, ...]
    skew_minutes: float | None = None
    deadline_met: bool | None = None
    missing: tuple[str, ...] = field(default=())

    @property
    def clean(self) -> bool:
        """Whether nothing needs a closer look (bulk approval takes only these)."""
        return not self.flags

    @property
    def approvable(self) -> bool:
        """Whether the job may be approved at all: never with evidence missing."""
        return Flag.MISSING_EVIDENCE not in self.flags


def max_skew_minutes(
    server: tuple[datetime | None, ...], device: tuple[datetime | None, ...]
) -> float | None:
    """The largest gap, in minutes, between paired server and device times (None if no pair)."""
    gaps = [
        abs((s - d).total_seconds()) / 60
        for s, d in zip(server, device, strict=False)
        if s is not None and d is not None
    ]
    return round(max(gaps), 1) if gaps else None


def review(facts: JobFacts, thresholds: Thresholds | None = None) -> Review:
    """Flag a closed job: missing evidence, wrong unit, far position, clock skew, late."""
    limits = thresholds or Thresholds()
    flags: list[Flag] = []
    if facts.missing:
        flags.append(Flag.MISSING_EVIDENCE)
    checked = (facts.checked_service_number or "").strip().upper()
    if checked and checked != facts.expected_service_number.upper():
        flags.append(Flag.SERVICE_NUMBER_MISMATCH)
    if facts.by_carrier:
        pass
    elif facts.distance_km is None:
        flags.append(Flag.NO_POSITION)
    else:
        limit = limits.far_km_lima if facts.zone is Zone.LIMA else limits.far_km_provinces
        if facts.distance_km > limit:
            flags.append(Flag.FAR_FROM_DISTRICT)
    skew = max_skew_minutes(facts.server_times, facts.device_times)
    if skew is not None and skew > limits.skew_minutes:
        flags.append(Flag.CLOCK_SKEW)
    met = None
    if facts.due_at is not None and facts.completed_at is not None:
        met = met_in_time(facts.due_at, facts.completed_at)
        if not met:
            flags.append(Flag.DEADLINE_MISSED)
    return Review(tuple(flags), skew, met, tuple(facts.missing))
