"""The dispatch board of a day, as the page shows it: the couriers (whether they work that day,
their route) and the jobs still to plan, with why the last plan left some out. Reads only: the
commands that change the board are in `route_edits` (by hand) and `optimisation` (the plan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from fieldapp.domain import routing
from fieldapp.domain.deadlines import is_business_day
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.mapping import PALETTE
from fieldapp.domain.roles import Role
from fieldapp.domain.shipments import JobMode
from fieldapp.domain.workday import board_day
from fieldapp.extensions import db
from fieldapp.models import (
    Case,
    CourierAvailability,
    CourierProfile,
    Job,
    Route,
    UnplannedJob,
    User,
)
from fieldapp.services.dispatch.problem import build_problem


@dataclass(frozen=True)
class CourierDay:
    """A courier with their profile, whether they work on the day, and their route."""

    user: User
    profile: CourierProfile
    available: bool
    route: Route | None
    away: bool = False  # on a multi-day trip


@dataclass
class Board:
    """Everything the dispatch page shows for one day."""

    day: date
    couriers: list[CourierDay]
    to_plan: list[Job]
    unplanned: dict[int, str] = field(default_factory=dict)

    @property
    def routes(self) -> list[Route]:
        """The day's routes that have stops."""
        return [c.route for c in self.couriers if c.route is not None and c.route.jobs]

    @property
    def distance_km(self) -> float:
        """Kilometres of every route of the day."""
        return sum(r.distance_km or 0.0 for r in self.routes)

    @property
    def planned_count(self) -> int:
        """Stops on the day's routes."""
        return sum(len(r.jobs) for r in self.routes)

    @property
    def colours(self) -> dict[int, str]:
        """Each courier's colour on the map (the routes' order there)."""
        with_stops = [c.user.id for c in self.couriers if c.route is not None and c.route.jobs]
        return {user_id: PALETTE[n % len(PALETTE)] for n, user_id in enumerate(with_stops)}

    @property
    def published(self) -> bool:
        """Whether every route with stops is published and unchanged since."""
        return bool(self.routes) and all(r.published_at is not None for r in self.routes)

    @property
    def working(self) -> list[tuple[User, CourierProfile]]:
        """The couriers who work on the day, with their profiles."""
        return [(c.user, c.profile) for c in self.couriers if c.available]

    def problem(self, extra: list[Job] | None = None) -> tuple[routing.Problem, dict[int, Job]]:
        """The routing problem of the working couriers (with their routes' open stops) and
        `extra` jobs, with the jobs by id."""
        working = [(c.user, c.profile, c.route) for c in self.couriers if c.available]
        return build_problem(self.day, working, extra or [])


def _away(day: date, user_ids: list[int]) -> set[int]:
    """Which of the couriers are on a multi-day trip that covers `day` (one query)."""
    longest = current_app.config["TRIP_MAX_DAYS"]
    started = db.session.scalars(
        select(Route).where(
            Route.courier_id.in_(user_ids),
            Route.days > 1,
            Route.day <= day,
            Route.day >= day - timedelta(days=longest),
        )
    )
    return {r.courier_id for r in started if r.day + timedelta(days=r.days - 1) >= day}


def _recorded_availability(day: date, user_ids: list[int]) -> dict[int, bool]:
    """Whether each courier with a record for `day` works then (one query); the others work on
    business days."""
    return dict(
        db.session.execute(
            select(CourierAvailability.user_id, CourierAvailability.available).where(
                CourierAvailability.user_id.in_(user_ids), CourierAvailability.day == day
            )
        )
        .tuples()
        .all()
    )


def opening_day(now: datetime) -> date:
    """The day the board opens on at `now`: today until the last courier's shift ends, then the
    next working day."""
    latest = db.session.scalar(
        select(func.max(CourierProfile.shift_end))
        .join(User, User.id == CourierProfile.user_id)
        .where(User.role == Role.COURIER, User.active.is_(True))
    )
    return board_day(now, latest or time(23, 59, 59))


def _shown() -> tuple:
    """What the page shows of each job, loaded with it: its case, customer, unit and
    deadlines (a lazy load per job would make the board's queries grow with its jobs)."""
    return (
        selectinload(Job.case).options(
            joinedload(Case.customer), joinedload(Case.unit), selectinload(Case.deadlines)
        ),
    )


def of_day(day: date, branch_id: int | None = None) -> Board:
    """The day's board: couriers (with availability and route) and the jobs still to plan (of
    one branch's couriers and cases when `branch_id` is given). A fixed number of queries,
    however many couriers and jobs."""
    stmt = (
        select(User, CourierProfile)
        .join(CourierProfile, CourierProfile.user_id == User.id)
        .where(User.role == Role.COURIER, User.active.is_(True))
        .order_by(User.full_name)
    )
    if branch_id is not None:
        stmt = stmt.where(User.branch_id == branch_id)
    people = db.session.execute(stmt).tuples().all()
    routes = {
        route.courier_id: route
        for route in db.session.scalars(
            select(Route)
            .where(Route.day == day)
            .options(selectinload(Route.jobs).options(*_shown()))
        )
    }
    ids = [user.id for user, _profile in people]
    away = _away(day, ids)
    records = _recorded_availability(day, ids)
    couriers = [
        CourierDay(
            user,
            profile,
            user.id not in away and records.get(user.id, is_business_day(day)),
            routes.get(user.id),
            user.id in away,
        )
        for user, profile in people
    ]
    jobs_stmt = select(Job).options(*_shown())
    if branch_id is not None:
        jobs_stmt = jobs_stmt.join(Case, Job.case_id == Case.id).where(Case.branch_id == branch_id)
    to_plan = db.session.scalars(
        jobs_stmt.where(
            or_(
                Job.status == JobStatus.PENDING,
                (Job.status == JobStatus.REJECTED) & Job.route_id.is_(None),
            ),
            Job.mode == JobMode.COURIER,  # jobs sent by agency are followed on their own page
        ).order_by(Job.due_at)
    ).all()
    reasons = db.session.execute(
        select(UnplannedJob.job_id, UnplannedJob.message).where(UnplannedJob.day == day)
    )
    return Board(day, couriers, list(to_plan), dict(reasons.tuples().all()))
