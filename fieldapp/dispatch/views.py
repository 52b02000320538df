"""Dispatch: the day's board, optimising, hand edits and publishing (htmx fragments)."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from fieldapp.dispatch import bp
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.routing import Slot, slot_window
from fieldapp.extensions import db, htmx
from fieldapp.models import Job, User
from fieldapp.models.types import FIRST_DATE, LAST_DATE, utcnow
from fieldapp.services import dispatch, publishing
from fieldapp.web.rendering import render


def _day(value: str | None) -> date:
    """The day in the URL or query, today (Lima) when absent.

    :raises BadRequest: for a malformed date.
    """
    if not value:
        return datetime.now(LIMA_TZ).date()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400)
    if not FIRST_DATE <= day <= LAST_DATE:
        abort(400)
    return day


def _show(day: date, unplanned: dict[int, str] | None = None, warnings: list[str] | None = None):
    board = dispatch.board(day)
    board.unplanned = unplanned or {}
    return render(
        "dispatch/index.html",
        "dispatch/_board.html",
        board=board,
        day=day,
        now=utcnow(),
        plan_map=dispatch.board_map(board),
        warnings=warnings or [],
        slots=list(Slot),
    )


def _done(day: date, message: str | None = None, category: str = "success", **extra):
    """After a change: htmx gets the board back, a plain form a redirect (303)."""
    db.session.commit()
    if htmx:
        if message:
            flash(message, category)
        return _show(day, **extra)
    if message:
        flash(message, category)
    for text in extra.get("unplanned", {}).values():
        flash(text, "error")
    return redirect(url_for("dispatch.index", day=day.isoformat()), 303)


def _failed(day: date, exc: dispatch.DispatchError):
    db.session.rollback()
    flash(str(exc), "error")
    if htmx:
        return _show(day), 409 if isinstance(exc, dispatch.StaleRoute) else 422
    return redirect(url_for("dispatch.index", day=day.isoformat()), 303)


def _job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


def _version() -> int | None:
    return request.form.get("version", type=int)


@bp.get("/")
def index():
    """The day's board: jobs to plan, couriers and their routes, the map."""
    return _show(_day(request.args.get("day")))


@bp.post("/<day>/optimise")
def optimise(day: str):
    """Plan the day with the optimiser (within the time budget)."""
    when = _day(day)
    try:
        result = dispatch.optimise(when, current_user)
    except dispatch.DispatchError as exc:
        return _failed(when, exc)
    planned = len(result.plan.planned_ids)
    km = result.plan.distance_m / 1000
    return _done(
        when, f"Plan optimizado: {planned} paradas, {km:.1f} km.", unplanned=result.unplanned
    )


@bp.post("/<day>/publish")
def publish(day: str):
    """Send the day's routes to the couriers."""
    when = _day(day)
    try:
        routes = publishing.publish(when, current_user)
    except dispatch.DispatchError as exc:
        return _failed(when, exc)
    return _done(when, f"Rutas publicadas a {len(routes)} courier(s).")


@bp.post("/<day>/unpublish")
def unpublish(day: str):
    """Take the day's routes back from the couriers."""
    when = _day(day)
    publishing.unpublish(when, current_user)
    return _done(when, "Rutas retiradas de los couriers.", "info")


@bp.post("/<day>/couriers/<int:user_id>/availability")
def availability(day: str, user_id: int):
    """Mark a courier as working or off on the day.

    :raises NotFound: for an unknown user.
    """
    when = _day(day)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    available = request.form.get("available") == "1"
    dispatch.set_available(user, when, available, current_user)
    state = "disponible" if available else "no disponible"
    return _done(when, f"{user.full_name}: {state} el {when:%d/%m/%Y}.", "info")


def _edit(day: str, job_id: int, change):
    """Apply a hand edit to a job's route; the board comes back with any rule it breaks."""
    when, job = _day(day), _job(job_id)
    try:
        warnings = change(when, job)
    except dispatch.DispatchError as exc:
        return _failed(when, exc)
    return _done(when, warnings=warnings if isinstance(warnings, list) else [])


@bp.post("/<day>/jobs/<int:job_id>/move")
def move(day: str, job_id: int):
    """Put a job on a courier's route (at the end)."""

    def change(when, job):
        courier_id = request.form.get("courier_id", type=int)
        if courier_id is None:
            raise dispatch.DispatchError("Elija un courier.")
        return dispatch.move(job, courier_id, when, current_user, _version())

    return _edit(day, job_id, change)


@bp.post("/<day>/jobs/<int:job_id>/reorder")
def reorder(day: str, job_id: int):
    """Move a stop one place earlier or later."""
    offset = -1 if request.form.get("direction") == "up" else 1
    return _edit(
        day, job_id, lambda _when, job: dispatch.reorder(job, offset, current_user, _version())
    )


@bp.post("/<day>/jobs/<int:job_id>/lock")
def lock(day: str, job_id: int):
    """Lock or unlock a stop on its courier and place."""
    return _edit(
        day, job_id, lambda _when, job: dispatch.toggle_lock(job, current_user, _version())
    )


@bp.post("/<day>/jobs/<int:job_id>/remove")
def remove(day: str, job_id: int):
    """Take a stop off its route."""
    return _edit(day, job_id, lambda _when, job: dispatch.remove(job, current_user, _version()))


@bp.post("/<day>/jobs/<int:job_id>/window")
def window(day: str, job_id: int):
    """Record the visit time agreed with the customer (morning, afternoon, an exact time)."""
    when, job = _day(day), _job(job_id)
    try:
        slot = Slot(request.form.get("slot", "any"))
        exact = request.form.get("at") or None
        minutes = None
        if exact:
            hour, minute = (int(part) for part in exact.split(":", 1))
            minutes = hour * 60 + minute
        found = slot_window(slot, minutes)
    except ValueError:
        return _failed(
            when, dispatch.DispatchError("Indique una franja válida (y la hora exacta).")
        )
    dispatch.set_window(job, when, found, current_user)
    return _done(when)
