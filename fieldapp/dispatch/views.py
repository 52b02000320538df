"""Dispatch: the day's board, optimising, hand edits and publishing (htmx fragments)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock
from fieldapp.dispatch import bp
from fieldapp.domain.routing import Slot, slot_window
from fieldapp.domain.wording import count
from fieldapp.extensions import htmx
from fieldapp.models import Job
from fieldapp.models.types import FIRST_DATE, LAST_DATE
from fieldapp.services import access
from fieldapp.services.dispatch import (
    board,
    carrier_shipments,
    optimisation_runs,
    publishing,
    route_edits,
)
from fieldapp.services.dispatch import board_map as dispatch_map
from fieldapp.services.dispatch.errors import DispatchError, StaleRoute
from fieldapp.services.organisation import branches
from fieldapp.transaction import discard
from fieldapp.web.rendering import render


def _day(value: str | None) -> date:
    """The day in the URL or query; when absent, today (Lima), or the next working day once the
    shift has ended.

    :raises BadRequest: for a malformed date.
    """
    if not value:
        return board.opening_day(clock.now())
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400)
    if not FIRST_DATE <= day <= LAST_DATE:
        abort(400)
    return day


def _scope() -> branches.Scope:
    """The branch whose board is shown (or published): the one asked for in the query or the
    form ("all": every branch) when the dispatcher may choose, else their own
    (`branches.scope_for`)."""
    return branches.scope_for(current_user, _branch_arg())


def _branch_id() -> int | None:
    """The id of the branch whose board is shown (None: every branch)."""
    return _scope().branch_id


def _show(day: date, warnings: list[str] | None = None):
    scope = _scope()
    state = board.of_day(day, scope.branch_id)
    run = optimisation_runs.to_show(day, clock.now())
    return render(
        "dispatch/index.html",
        "dispatch/_board.html",
        board=state,
        day=day,
        now=clock.now(),
        plan_map=dispatch_map.plan_map(state),
        map_data=dispatch_map.map_data(state),
        warnings=warnings or [],
        slots=list(Slot),
        run=run,
        branches=scope.choosable,
        branch_id=scope.branch_id,
        branch_code=scope.code,
        by_carrier=carrier_shipments.suggestions(state.to_plan, state.working),
    )


def _done(day: date, message: str | None = None, category: str = "success", **extra):
    """After a change: htmx gets the board back, a plain form a redirect (303)."""
    if htmx:
        if message:
            flash(message, category)
        return _show(day, **extra)
    if message:
        flash(message, category)
    return redirect(url_for("dispatch.index", day=day.isoformat(), branch=_branch_arg()), 303)


def _branch_arg() -> str | None:
    """The `branch` argument the request came with (query or form), kept on the way back to
    the board."""
    return request.values.get("branch") or None


def _failed(day: date, exc: DispatchError):
    discard()
    flash(str(exc), "error")
    if htmx:
        return _show(day), 409 if isinstance(exc, StaleRoute) else 422
    return redirect(url_for("dispatch.index", day=day.isoformat(), branch=_branch_arg()), 303)


def _job(job_id: int) -> Job:
    """The job, if the dispatcher's branch serves its case (else 404)."""
    return access.job_to_dispatch_or_404(current_user, job_id)


def _version() -> int | None:
    return request.form.get("version", type=int)


@bp.get("/")
def index():
    """The day's board: jobs to plan, couriers and their routes, the map."""
    return _show(_day(request.args.get("day")))


@bp.post("/<day>/optimise")
def optimise(day: str):
    """Queue an optimisation of the day; the board shows its progress until it is applied."""
    when = _day(day)
    optimisation_runs.request_run(when, current_user, branch_id=_branch_id())
    return _done(when)


@bp.get("/runs/<int:run_id>")
def run_status(run_id: int):
    """The progress panel of an optimiser run (htmx polls it); once the run is finished, the
    whole board comes back with the plan applied (or why it was not).

    :raises NotFound: for an unknown run.
    """
    run = optimisation_runs.get(run_id)
    if run is None:
        abort(404)
    if run.finished or not htmx:
        response = make_response(_show(run.day))
        if htmx:
            response.headers["HX-Retarget"] = "#board"
            response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render_template("dispatch/_run.html", run=run, now=clock.now())


@bp.post("/<day>/publish")
def publish(day: str):
    """Send the day's routes of the board's branch to its couriers."""
    when = _day(day)
    try:
        routes = publishing.publish(when, current_user, _branch_id())
    except DispatchError as exc:
        return _failed(when, exc)
    for job in publishing.swaps_without_unit(routes):
        flash(
            f"Atención: {job.case.case_number} (cambio DOA) se publicó sin equipo nuevo "
            "reservado: reserve uno para que el courier sepa cuál llevar.",
            "error",
        )
    return _done(when, f"Rutas publicadas a {count(len(routes), 'courier', 'couriers')}.")


@bp.post("/<day>/unpublish")
def unpublish(day: str):
    """Take the day's routes of the board's branch back from its couriers."""
    when = _day(day)
    publishing.unpublish(when, current_user, _branch_id())
    return _done(when, "Rutas retiradas de los couriers.", "info")


@bp.post("/<day>/couriers/<int:user_id>/availability")
def availability(day: str, user_id: int):
    """Mark a courier as working or off on the day.

    :raises NotFound: for an unknown user.
    """
    when = _day(day)
    user = access.courier_to_dispatch_or_404(current_user, user_id)
    available = request.form.get("available") == "1"
    route_edits.set_available(user, when, available, current_user)
    state = "disponible" if available else "no disponible"
    return _done(when, f"{user.full_name}: {state} el {when:%d/%m/%Y}.", "info")


def _edit(day: str, job_id: int, change):
    """Apply a hand edit to a job's route; the board comes back with any rule it breaks."""
    when, job = _day(day), _job(job_id)
    try:
        warnings = change(when, job)
    except DispatchError as exc:
        return _failed(when, exc)
    return _done(when, warnings=warnings if isinstance(warnings, list) else [])


@bp.post("/<day>/jobs/<int:job_id>/move")
def move(day: str, job_id: int):
    """Put a job on a courier's route (at the end)."""

    def change(when, job):
        courier_id = request.form.get("courier_id", type=int)
        if courier_id is None:
            raise DispatchError("Elija un courier.")
        return route_edits.move(job, courier_id, when, current_user, _version())

    return _edit(day, job_id, change)


@bp.post("/<day>/jobs/<int:job_id>/reorder")
def reorder(day: str, job_id: int):
    """Move a stop one place earlier or later."""
    offset = -1 if request.form.get("direction") == "up" else 1
    return _edit(
        day, job_id, lambda _when, job: route_edits.reorder(job, offset, current_user, _version())
    )


@bp.post("/<day>/jobs/<int:job_id>/lock")
def lock(day: str, job_id: int):
    """Lock or unlock a stop on its courier and place."""
    return _edit(
        day, job_id, lambda _when, job: route_edits.toggle_lock(job, current_user, _version())
    )


@bp.post("/<day>/jobs/<int:job_id>/remove")
def remove(day: str, job_id: int):
    """Take a stop off its route."""
    return _edit(day, job_id, lambda _when, job: route_edits.remove(job, current_user, _version()))


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
        return _failed(when, DispatchError("Indique una franja válida (y la hora exacta)."))
    route_edits.set_window(job, when, found, current_user)
    return _done(when)
