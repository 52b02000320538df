"""Route planning values: couriers, job requests, the travel model, problems and plans.

Everything here is plain data. Times are minutes from midnight (America/Lima), distances metres,
loads whole units (equipos). `fieldapp.domain.routing` re-exports the public names and holds the
optimiser; `routing_check` replays routes and explains unplanned jobs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from geopy.distance import geodesic

from fieldapp.domain.geo import Zone
from fieldapp.domain.jobs import JobKind

JobId = int | str
CourierId = int | str
Window = tuple[float, float]
Matrix = Sequence[Sequence[float]]


class UnplannedReason(StrEnum):
    """Why a job is not on any route."""

    CAPACITY = "capacity"  # its load exceeds every vehicle
    TIME_WINDOW = "time_window"  # its agreed time cannot be met within any shift
    SHIFT_LENGTH = "shift_length"  # the round trip from a base is longer than any shift
    NO_ROOM = "no_room"  # feasible alone, but the routes have no time or space left
    POSTPONED = "postponed"  # optional (due later) and not worth today's kilometres


UNPLANNED_LABELS: Mapping[UnplannedReason, str] = MappingProxyType(
    {
        UnplannedReason.CAPACITY: "La carga supera la capacidad de todos los vehículos",
        UnplannedReason.TIME_WINDOW: "El horario acordado no se puede cumplir en ningún turno",
        UnplannedReason.SHIFT_LENGTH: "Demasiado lejos para la duración del turno",
        UnplannedReason.NO_ROOM: "Sin capacidad de tiempo en las rutas",
        UnplannedReason.POSTPONED: "Opcional: queda para otro día (vence más adelante)",
    }
)


class Slot(StrEnum):
    """The visit time agreed with the customer."""

    ANY = "any"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EXACT = "exact"


SLOT_LABELS: Mapping[Slot, str] = MappingProxyType(
    {
        Slot.ANY: "Cualquier hora",
        Slot.MORNING: "Mañana",
        Slot.AFTERNOON: "Tarde",
        Slot.EXACT: "Hora exacta",
    }
)

# Service start must fall in the window (minutes from midnight). Settings may replace these.
DEFAULT_SLOT_WINDOWS: Mapping[Slot, Window] = MappingProxyType(
    {Slot.MORNING: (9 * 60, 13 * 60), Slot.AFTERNOON: (14 * 60, 18 * 60)}
)

# Minutes spent at a stop, by what the courier does there (a setting; these are defaults).
DEFAULT_SERVICE_MIN: Mapping[JobKind, float] = MappingProxyType(
    {
        JobKind.DOA_SWAP: 20.0,
        JobKind.PICKUP: 15.0,
        JobKind.RETURN: 15.0,
        JobKind.STORE_SWAP: 25.0,
        JobKind.STORE_PICKUP: 15.0,
    }
)

# Prize (metres of driving a job is worth today) of an optional job, by whole days left until
# it is due: 1 day -> 12 km, 2 -> 6 km, 3 or more -> 3 km. Due today or overdue: required. A job
# done today saves about its share of another day's driving (5-7 km a job in Lima), so a job due
# tomorrow is worth about twice that; further deadlines are worth less, only when on the way.
DEFAULT_PRIZE_KM_BY_DAYS_LEFT: tuple[float, ...] = (12.0, 6.0, 3.0)


def slot_window(
    slot: Slot,
    at_min: float | None = None,
    tolerance_min: float = 15.0,
    windows: Mapping[Slot, Window] = DEFAULT_SLOT_WINDOWS,
) -> Window | None:
    """Return the service-start window of an agreed slot (None for any time).

    :raises ValueError: if an exact slot has no time or a slot has no configured window.
    """
    if slot is Slot.ANY:
        return None
    if slot is Slot.EXACT:
        if at_min is None:
            raise ValueError("Una hora exacta necesita la hora acordada.")
        return (at_min - tolerance_min, at_min + tolerance_min)
    if slot not in windows:
        raise ValueError(f"No hay horario configurado para el turno {slot.value}.")
    return windows[slot]


def service_minutes(kind: JobKind, overrides: Mapping[JobKind, float] | None = None) -> float:
    """Return the minutes a courier spends at a stop of this kind (overrides win)."""
    if overrides and kind in overrides:
        return float(overrides[kind])
    return float(DEFAULT_SERVICE_MIN[kind])


def priority(
    days_left: int, prize_km_by_days_left: Sequence[float] = DEFAULT_PRIZE_KM_BY_DAYS_LEFT
) -> tuple[bool, int]:
    """Return (required, prize in metres): due today or overdue is required, later ones optional.

    The prize grows as the deadline nears, so the optimiser takes a job due tomorrow for a
    longer detour than one due in three days.
    """
    if days_left <= 0:
        return True, 0
    index = min(days_left, len(prize_km_by_days_left)) - 1
    return False, round(prize_km_by_days_left[index] * 1000)


@dataclass(frozen=True)
class Point:
    """A place on the map and its service zone (picks the circuity and speed)."""

    lat: float
    lon: float
    zone: Zone = Zone.LIMA


@dataclass(frozen=True)
class Depot:
    """A courier base: the ST counter in Lima or a provincial hub."""

    id: str
    lat: float
    lon: float
    zone: Zone = Zone.LIMA

    @property
    def point(self) -> Point:
        """Return the base as a map point."""
        return Point(self.lat, self.lon, self.zone)


@dataclass(frozen=True)
class Courier:
    """One courier (one vehicle): base, shift (minutes from midnight) and capacity in units."""

    id: CourierId
    depot: Depot
    shift_start_min: float
    shift_end_min: float
    capacity: int


@dataclass(frozen=True)
class JobRequest:
    """A stop to plan: where, how long, what goes in and out, when, and how much it matters.

    `delivery` units leave the base with the courier, `pickup` units come back. `window` bounds
    the start of service. A locked job stays with `locked_courier_id` and is always planned when
    it fits; locked jobs of one courier that carry a `locked_position` keep that relative order
    (other jobs may go between them).
    """

    id: JobId
    lat: float
    lon: float
    zone: Zone = Zone.LIMA
    service_min: float = 0.0
    delivery: int = 0
    pickup: int = 0
    window: Window | None = None
    required: bool = True
    prize: int = 0
    locked_courier_id: CourierId | None = None
    locked_position: int | None = None

    @property
    def point(self) -> Point:
        """Return the stop as a map point."""
        return Point(self.lat, self.lon, self.zone)


# One reusable WGS-84 geodesic (geopy): measuring with it skips building a Distance per pair,
# which matters for the ~11 000 pairs of a day (measure() answers in kilometres).
_GEODESIC = geodesic()


@dataclass(frozen=True)
class TravelModel:
    """Road distance and time estimated from the geodesic distance.

    An arc with both ends in Lima uses the Lima circuity and speed; any other arc uses the
    provinces (highway) values.
    """

    circuity_by_zone: Mapping[Zone, float] = field(
        default_factory=lambda: MappingProxyType({Zone.LIMA: 1.3, Zone.PROVINCES: 1.25})
    )
    speed_kmh_by_zone: Mapping[Zone, float] = field(
        default_factory=lambda: MappingProxyType({Zone.LIMA: 22.0, Zone.PROVINCES: 55.0})
    )

    def leg(self, a: Point, b: Point) -> tuple[float, float]:
        """Return (metres, minutes) to drive from a to b."""
        if (a.lat, a.lon) == (b.lat, b.lon):
            return 0.0, 0.0
        zone = Zone.LIMA if a.zone is Zone.LIMA and b.zone is Zone.LIMA else Zone.PROVINCES
        metres = _GEODESIC.measure((a.lat, a.lon), (b.lat, b.lon)) * 1000.0
        metres *= self.circuity_by_zone[zone]
        return metres, metres / 1000.0 / self.speed_kmh_by_zone[zone] * 60.0

    def matrices(self, points: Sequence[Point]) -> tuple[list[list[float]], list[list[float]]]:
        """Return the (distance in metres, duration in minutes) matrices between the points."""
        n = len(points)
        distance = [[0.0] * n for _ in range(n)]
        duration = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):  # the model is symmetric: compute each pair once
                metres, minutes = self.leg(points[i], points[j])
                distance[i][j] = distance[j][i] = metres
                duration[i][j] = duration[j][i] = minutes
        return distance, duration


def problem_points(couriers: Sequence[Courier], jobs: Sequence[JobRequest]) -> list[Point]:
    """Return the points a problem's matrices are indexed by: the bases, then the jobs."""
    return [d.point for d in _unique_depots(couriers)] + [j.point for j in jobs]


def _unique_depots(couriers: Sequence[Courier]) -> list[Depot]:
    seen: dict[str, Depot] = {}
    for courier in couriers:
        seen.setdefault(courier.depot.id, courier.depot)
    return list(seen.values())


@dataclass(frozen=True, eq=False)
class Problem:
    """A day to plan: couriers, jobs and travel matrices indexed like `problem_points`.

    :raises ValueError: (on construction) if ids repeat, a matrix has the wrong size, a window,
        amount or shift is inconsistent, or a job is locked to an unknown courier.
    """

    couriers: tuple[Courier, ...]
    jobs: tuple[JobRequest, ...]
    distance_m: Matrix = field(repr=False)
    duration_min: Matrix = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "couriers", tuple(self.couriers))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        courier_ids = [c.id for c in self.couriers]
        if len(set(courier_ids)) != len(courier_ids):
            raise ValueError("Hay couriers repetidos en el plan.")
        if len({j.id for j in self.jobs}) != len(self.jobs):
            raise ValueError("Hay trabajos repetidos en el plan.")
        depots: dict[str, Depot] = {}
        for c in self.couriers:
            if depots.setdefault(c.depot.id, c.depot) != c.depot:
                raise ValueError(f"La base {c.depot.id} aparece con datos distintos.")
            if c.shift_end_min < c.shift_start_min or c.capacity < 0:
                raise ValueError(f"Turno o capacidad inválidos para el courier {c.id}.")
        for j in self.jobs:
            _check_job(j, set(courier_ids))
        size = len(depots) + len(self.jobs)
        for matrix in (self.distance_m, self.duration_min):
            if len(matrix) != size or any(len(row) != size for row in matrix):
                raise ValueError(f"Las matrices de viaje deben ser de {size}×{size}.")

    @classmethod
    def build(
        cls,
        couriers: Sequence[Courier],
        jobs: Sequence[JobRequest],
        travel: TravelModel | None = None,
    ) -> Problem:
        """Build a problem with matrices from the travel model (geodesic by default).

        :raises ValueError: as the constructor.
        """
        distance, duration = (travel or TravelModel()).matrices(problem_points(couriers, jobs))
        return cls(tuple(couriers), tuple(jobs), distance, duration)

    @property
    def depots(self) -> list[Depot]:
        """Return the distinct bases, in the order of the matrices."""
        return _unique_depots(self.couriers)

    def courier(self, courier_id: CourierId) -> Courier:
        """Return the courier with this id.

        :raises KeyError: if there is none.
        """
        for courier in self.couriers:
            if courier.id == courier_id:
                return courier
        raise KeyError(courier_id)

    def depot_index(self, depot_id: str) -> int:
        """Return the matrix index of a base.

        :raises StopIteration: if there is none.
        """
        return next(i for i, d in enumerate(self.depots) if d.id == depot_id)

    def job_index(self, job_position: int) -> int:
        """Return the matrix index of the job at this position in `jobs`."""
        return len(self.depots) + job_position


def _check_job(job: JobRequest, courier_ids: set[CourierId]) -> None:
    if job.delivery < 0 or job.pickup < 0 or job.prize < 0 or job.service_min < 0:
        raise ValueError(f"Cantidades negativas en el trabajo {job.id}.")
    if job.window is not None and job.window[0] > job.window[1]:
        raise ValueError(f"El horario del trabajo {job.id} termina antes de empezar.")
    if job.locked_courier_id is not None and job.locked_courier_id not in courier_ids:
        raise ValueError(
            f"El trabajo {job.id} está fijado al courier {job.locked_courier_id}, "
            "que no está en el plan."
        )
    if job.locked_position is not None and job.locked_courier_id is None:
        raise ValueError(f"El trabajo {job.id} tiene posición fija pero ningún courier.")


@dataclass(frozen=True)
class PlannedStop:
    """A stop on a route: arrival, start of service, departure and units on board after it."""

    job_id: JobId
    arrival_min: float
    start_min: float
    departure_min: float
    load_after: int


@dataclass(frozen=True)
class RoutePlan:
    """One courier's route: leave the base at `start_min`, visit `stops`, back at `end_min`."""

    courier_id: CourierId
    stops: tuple[PlannedStop, ...]
    start_min: float
    end_min: float
    distance_m: float
    load_start: int

    @property
    def job_ids(self) -> list[JobId]:
        """Return the job ids in visiting order."""
        return [s.job_id for s in self.stops]

    @property
    def duration_min(self) -> float:
        """Return the minutes from leaving the base to coming back."""
        return self.end_min - self.start_min


@dataclass(frozen=True)
class Unplanned:
    """A job left off the routes, with the reason and a message for the dispatcher."""

    job_id: JobId
    reason: UnplannedReason
    detail: str

    @property
    def label(self) -> str:
        """Return the Spanish label of the reason."""
        return UNPLANNED_LABELS[self.reason]


@dataclass(frozen=True)
class Plan:
    """The result of planning: non-empty routes (in courier order) and unplanned jobs."""

    routes: tuple[RoutePlan, ...]
    unplanned: tuple[Unplanned, ...]

    @property
    def distance_m(self) -> float:
        """Return the total distance of all routes."""
        return sum(r.distance_m for r in self.routes)

    @property
    def planned_ids(self) -> set[JobId]:
        """Return the ids of every planned job."""
        return {s.job_id for r in self.routes for s in r.stops}

    def route_of(self, courier_id: CourierId) -> RoutePlan | None:
        """Return the route of a courier, or None if the courier has no stops."""
        return next((r for r in self.routes if r.courier_id == courier_id), None)
