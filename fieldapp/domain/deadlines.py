"""Deadlines in America/Lima time: business days, due times and urgency."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from fieldapp.domain.geo import Zone

LIMA_TZ = ZoneInfo("America/Lima")
END_OF_DAY = time(23, 59, 59)


@cache
def _year_holidays(year: int) -> Mapping[date, str]:
    found = holidays.country_holidays("PE", years=year, language="es")
    return MappingProxyType(dict(found))


def peru_holidays(years: int | Iterable[int]) -> dict[date, str]:
    """Return Peru's public holidays (date -> Spanish name) for one or more years."""
    year_list = [years] if isinstance(years, int) else list(years)
    result: dict[date, str] = {}
    for year in year_list:
        result.update(_year_holidays(year))
    return result


def is_business_day(d: date) -> bool:
    """Return True for Monday to Friday when it is not a Peru public holiday."""
    return d.weekday() < 5 and d not in _year_holidays(d.year)


def add_business_days(d: date, n: int) -> date:
    """Return the n-th business day after d (d itself is not counted).

    :raises ValueError: if n is negative.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    current = d
    while n > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            n -= 1
    return current


def end_of_day(d: date) -> datetime:
    """Return 23:59:59 of date d in America/Lima (aware)."""
    return datetime.combine(d, END_OF_DAY, tzinfo=LIMA_TZ)


def lima_date(at: datetime) -> date:
    """Return the calendar date in Lima of an aware datetime.

    :raises ValueError: if the datetime is naive.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return at.astimezone(LIMA_TZ).date()


def swap_due(received_at: datetime, zone: Zone, band: int | None, lima_days: int = 1) -> datetime:
    """Return when a DOA swap is due: end of day (received date + 1 day in Lima, + band days).

    :raises ValueError: if received_at is naive, or a provinces case has no band.
    """
    if zone is Zone.LIMA:
        days = lima_days
    elif band is None:
        raise ValueError("a provinces case needs a distance band")
    else:
        days = band
    return end_of_day(lima_date(received_at) + timedelta(days=days))


def pickup_due(received_at: datetime, band: int) -> datetime:
    """Return when a provinces pickup is due: end of day (received date + band days).

    :raises ValueError: if received_at is naive.
    """
    return end_of_day(lima_date(received_at) + timedelta(days=band))


def repair_due(unit_received_at: datetime, business_days: int = 3) -> datetime:
    """Return when a repair is due: end of the 3rd business day after the reception date.

    :raises ValueError: if unit_received_at is naive.
    """
    return end_of_day(add_business_days(lima_date(unit_received_at), business_days))


def return_due(repaired_at: datetime, business_days: int = 1) -> datetime:
    """Return when a provinces return is due: end of the 1st business day after the repair date.

    :raises ValueError: if repaired_at is naive.
    """
    return end_of_day(add_business_days(lima_date(repaired_at), business_days))


class DeadlineName(StrEnum):
    """Which clock a deadline is (DOMAIN.md "Deadlines, precisely"); the value is stored."""

    SWAP = "swap"
    PICKUP = "pickup"
    REPAIR = "repair"
    RETURN = "return"


# The name of each deadline on screens (badges, lists, filters).
DEADLINE_LABELS: dict[DeadlineName, str] = {
    DeadlineName.SWAP: "Cambio",
    DeadlineName.PICKUP: "Recojo",
    DeadlineName.REPAIR: "Reparación",
    DeadlineName.RETURN: "Devolución",
}


class Urgency(StrEnum):
    """How a deadline stands: the one status every screen shows (courier, board, case page,
    supervisor queue, dashboard)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    DONE = "done"  # done in time
    MISSED = "missed"  # done, but after the due time


def met_in_time(due_at: datetime, done_at: datetime) -> bool:
    """Whether a thing done at `done_at` met a deadline due at `due_at` (the due second counts)."""
    return done_at <= due_at


def urgency(
    starts_at: datetime,
    due_at: datetime,
    now: datetime,
    done_at: datetime | None = None,
    risk_fraction: float = 0.25,
) -> Urgency:
    """Return DONE (in time) or MISSED (late) once done; else OVERDUE after due, AT_RISK with
    under `risk_fraction` of the window left, ON_TRACK otherwise."""
    if done_at is not None:
        return Urgency.DONE if met_in_time(due_at, done_at) else Urgency.MISSED
    if now > due_at:
        return Urgency.OVERDUE
    window = due_at - starts_at
    if due_at - now < window * risk_fraction:
        return Urgency.AT_RISK
    return Urgency.ON_TRACK


@dataclass(frozen=True)
class Deadline:
    """A named deadline with the start of its window and its due time."""

    name: DeadlineName
    starts_at: datetime
    due_at: datetime

    def status(
        self, now: datetime, done_at: datetime | None = None, risk_fraction: float = 0.25
    ) -> Urgency:
        """Return the urgency of this deadline at `now`."""
        return urgency(self.starts_at, self.due_at, now, done_at, risk_fraction)


# Which deadlines each flow has (DOMAIN.md "Deadlines, precisely").
_SWAP_FLOWS = {"doa_lima", "doa_provinces", "doa_store", "doa_counter"}
_PICKUP_FLOWS = {"warranty_provinces", "warranty_store"}
_REPAIR_FLOWS = {"warranty_lima", "warranty_provinces", "warranty_store", "walk_in"}


def case_deadlines(
    flow: str,
    zone: Zone,
    band: int | None,
    received_at: datetime,
    unit_received_at: datetime | None = None,
    repaired_at: datetime | None = None,
) -> list[Deadline]:
    """Every deadline a case of `flow` has so far; repair and return appear once their clock starts.

    :raises ValueError: for a provinces swap or pickup with no band, or naive datetimes.
    """
    found: list[Deadline] = []
    if flow in _SWAP_FLOWS:
        # A swap at the counter is done there: the Lima clock applies wherever the customer lives.
        swap_zone = Zone.LIMA if flow == "doa_counter" else zone
        swap_at = swap_due(received_at, swap_zone, band)
        found.append(Deadline(DeadlineName.SWAP, received_at, swap_at))
    if flow in _PICKUP_FLOWS:
        if band is None:
            raise ValueError("a pickup deadline needs a distance band")
        found.append(Deadline(DeadlineName.PICKUP, received_at, pickup_due(received_at, band)))
    if flow in _REPAIR_FLOWS and unit_received_at is not None:
        found.append(Deadline(DeadlineName.REPAIR, unit_received_at, repair_due(unit_received_at)))
    if flow in _PICKUP_FLOWS and repaired_at is not None:
        found.append(Deadline(DeadlineName.RETURN, repaired_at, return_due(repaired_at)))
    return found
