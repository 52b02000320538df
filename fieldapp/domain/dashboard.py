"""Dashboard figures from plain rows: deadlines met per flow and week, risk now, jobs per
courier, DOA rate per model and parts reused."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fieldapp.domain.deadlines import LIMA_TZ, DeadlineName, Urgency, met_in_time, urgency


@dataclass(frozen=True)
class DeadlineRow:
    """One deadline of one case."""

    case_number: str
    flow: str
    name: str
    starts_at: datetime
    due_at: datetime
    done_at: datetime | None
    case_open: bool = True


@dataclass(frozen=True)
class Rate:
    """How many of `total` were met (or are DOA), with the percentage."""

    label: str
    met: int
    total: int

    @property
    def percent(self) -> float:
        """`met` over `total` in percent, one decimal (0 when there is nothing)."""
        return round(100 * self.met / self.total, 1) if self.total else 0.0


def decided(row: DeadlineRow, now: datetime) -> bool | None:
    """True if met, False if missed (done late, or open past due), None if still running."""
    if row.done_at is not None:
        return met_in_time(row.due_at, row.done_at)
    if now > row.due_at:
        return False if row.case_open else None
    return None


def week_start(at: datetime) -> date:
    """The Monday (Lima) of the week `at` falls in."""
    day = at.astimezone(LIMA_TZ).date()
    return day - timedelta(days=day.weekday())


def met_by_flow(rows: Iterable[DeadlineRow], now: datetime) -> list[Rate]:
    """Deadlines met over deadlines decided, per flow (flow order as first seen, sorted)."""
    met: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in rows:
        outcome = decided(row, now)
        if outcome is None:
            continue
        total[row.flow] += 1
        met[row.flow] += int(outcome)
    return [Rate(flow, met[flow], total[flow]) for flow in sorted(total)]


def met_by_week(rows: Iterable[DeadlineRow], now: datetime, weeks: int = 8) -> list[Rate]:
    """Deadlines met over decided, per week of their due date, the last `weeks` weeks (labels
    are the Monday as dd/mm)."""
    current = week_start(now)
    starts = [current - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    met: Counter[date] = Counter()
    total: Counter[date] = Counter()
    for row in rows:
        outcome = decided(row, now)
        if outcome is None:
            continue
        week = week_start(row.due_at)
        total[week] += 1
        met[week] += int(outcome)
    return [Rate(f"{start:%d/%m}", met[start], total[start]) for start in starts]


def at_risk_now(rows: Iterable[DeadlineRow], now: datetime) -> dict[Urgency, list[DeadlineRow]]:
    """Open deadlines of open cases that are at risk or overdue now, most urgent first."""
    found: dict[Urgency, list[DeadlineRow]] = {Urgency.OVERDUE: [], Urgency.AT_RISK: []}
    for row in rows:
        if not row.case_open or row.done_at is not None:
            continue
        state = urgency(row.starts_at, row.due_at, now)
        if state in found:
            found[state].append(row)
    for listed in found.values():
        listed.sort(key=lambda row: row.due_at)
    return found


@dataclass(frozen=True)
class CourierJobs:
    """Jobs of one courier by outcome."""

    courier: str
    done: int
    failed: int
    open: int

    @property
    def total(self) -> int:
        """All jobs counted."""
        return self.done + self.failed + self.open


def jobs_per_courier(rows: Iterable[tuple[str, str]]) -> list[CourierJobs]:
    """(courier name, job status) rows counted per courier: done (incl. reviewed), failed, open."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for courier, status in rows:
        if status in ("done", "approved", "rejected"):
            counts[courier]["done"] += 1
        elif status == "failed":
            counts[courier]["failed"] += 1
        elif status in ("planned", "in_progress"):
            counts[courier]["open"] += 1
    return sorted(
        (CourierJobs(name, c["done"], c["failed"], c["open"]) for name, c in counts.items()),
        key=lambda row: (-row.total, row.courier),
    )


def doa_rate_by_model(rows: Iterable[tuple[str | None, str]]) -> list[Rate]:
    """(model, case kind) rows: DOA cases over all cases per model."""
    doa: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for model, kind in rows:
        name = model or "Sin modelo"
        total[name] += 1
        doa[name] += int(kind == "doa")
    return [Rate(model, doa[model], total[model]) for model in sorted(total)]


def parts_reused(rows: Iterable[tuple[str, bool]]) -> tuple[list[Rate], int, int]:
    """(part name, used) rows: per part name used over recorded, and the totals."""
    used: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for name, was_used in rows:
        total[name] += 1
        used[name] += int(was_used)
    rates = [Rate(name, used[name], total[name]) for name in sorted(total)]
    return rates, sum(used.values()), sum(total.values())


@dataclass(frozen=True)
class Holder:
    """Who has the work of an at-risk or overdue deadline in hand (`job_id`: the visit)."""

    who: str
    job_id: int | None = None


def holder(
    deadline: str,
    job_status: str | None,
    *,
    courier: str | None = None,
    published: bool = False,
    technician: str | None = None,
) -> Holder:
    """Who must act on a deadline, from its latest visit's status (the workshop for repairs)."""
    if deadline == DeadlineName.REPAIR:
        return Holder(f"Taller: {technician}" if technician else "Taller")
    if job_status is None:
        return Holder("Despacho: falta crear la visita")
    if job_status in ("planned", "in_progress") and courier:
        suffix = "" if published or job_status == "in_progress" else " (ruta sin publicar)"
        return Holder(f"Courier: {courier}{suffix}")
    return Holder(
        {
            "pending": "Despacho: visita por planificar",
            "planned": "Despacho: visita por planificar",
            "failed": "Despacho: visita fallida, por reprogramar",
            "rejected": "Courier: visita devuelta por el supervisor",
            "done": "Supervisor: visita por aprobar",
        }.get(job_status, "Despacho")
    )
