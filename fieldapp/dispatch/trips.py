"""Dispatch: send free hub couriers on multi-day trips to the jobs no shift reaches."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from fieldapp.dispatch import bp
from fieldapp.services.dispatch import planning, trip_planning


@bp.post("/<day>/trips")
def plan_trips(day: str):
    """Plan multi-day trips from the day for the far jobs (a plain form: 303 to the board).

    :raises BadRequest: for a malformed date.
    """
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(400)
    try:
        result = trip_planning.plan(when, current_user)
    except planning.DispatchError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dispatch.index", day=when.isoformat()), 303)
    for route in result.routes:
        flash(
            f"Viaje de {route.days} días para {route.courier.full_name}: "
            f"{len(route.jobs)} paradas, {route.distance_km:.0f} km.",
            "success",
        )
    for job in result.left:
        flash(f"{job.case.case_number}: ningún viaje llega a tiempo; envíelo por agencia.", "error")
    return redirect(url_for("dispatch.index", day=when.isoformat()), 303)
