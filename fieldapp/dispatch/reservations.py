"""Dispatch board: the new unit reserved for each DOA swap stop (see and set it)."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from fieldapp.dispatch import bp
from fieldapp.dispatch.views import _day, _done, _failed, _job
from fieldapp.services.dispatch import reservations
from fieldapp.services.dispatch.errors import DispatchError
from fieldapp.services.workshop import inventory


@bp.context_processor
def _reservation_helpers() -> dict:
    def reservation_of(job):
        """The reserved unit and the units that could be reserved, for the board's partial."""
        if "on_hand_new_units" not in g:  # read once per page, not once per stop
            g.on_hand_new_units = reservations.on_hand_new_units()
            g.reserved_by_job = reservations.reserved_by_job()
        reserved = g.reserved_by_job.get(job.id)
        return reserved, reservations.candidates(job, g.on_hand_new_units)

    return {"reservation_of": reservation_of, "needs_unit": reservations.needs_unit}


@bp.post("/<day>/jobs/<int:job_id>/reserve")
def reserve(day: str, job_id: int):
    """Reserve a new unit (the one chosen, or the best on hand) for a DOA swap stop.

    :raises NotFound: for an unknown job.
    """
    when, job = _day(day), _job(job_id)
    try:
        unit = reservations.reserve(job, request.form.get("unit_id", type=int), current_user)
    except inventory.StockError as exc:
        return _failed(when, DispatchError(str(exc)))
    return _done(when, f"Equipo nuevo {unit.service_number} reservado para {job.case.case_number}.")


@bp.post("/<day>/jobs/<int:job_id>/release")
def release(day: str, job_id: int):
    """Put the unit reserved for a stop back on hand.

    :raises NotFound: for an unknown job.
    """
    when, job = _day(day), _job(job_id)
    try:
        reservations.release(job, current_user)
    except inventory.StockError as exc:
        return _failed(when, DispatchError(str(exc)))
    return _done(when, f"Reserva liberada: {job.case.case_number}.", "info")
