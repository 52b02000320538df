"""Dispatch by agency: send a job by carrier, follow its shipments, close it on reception."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict

from fieldapp.dispatch import bp
from fieldapp.dispatch.forms import BookingForm, MoveForm, ReceptionForm
from fieldapp.domain import shipments as rules
from fieldapp.domain.attachments import RECEPTION_PHOTOS
from fieldapp.domain.jobs import REQUIRED_PHOTOS, JobStatus
from fieldapp.domain.shipments import Direction, JobMode, ShipmentStatus
from fieldapp.extensions import db
from fieldapp.models import Job, Shipment
from fieldapp.models.types import utcnow
from fieldapp.services import access
from fieldapp.services.dispatch import carrier_actions, carrier_shipments
from fieldapp.services.organisation import branches
from fieldapp.transaction import discard
from fieldapp.web.rendering import render


def _job(job_id: int, *, carrier: bool | None = None) -> Job:
    """The job, or 404 (also when it is not, or already is, sent by agency as asked)."""
    job = access.job_to_dispatch_or_404(current_user, job_id)
    if carrier is not None and (job.mode is JobMode.CARRIER) != carrier:
        abort(404)
    return job


@bp.get("/shipments/")
def shipments_index():
    """Jobs sent by agency that are not closed yet, by deadline, of the branch shown."""
    scope = branches.scope_for(current_user, request.args.get("branch"))
    return render(
        "dispatch/shipments.html",
        "dispatch/shipments.html",
        items=carrier_shipments.open_jobs(scope.branch_id),
        scope=scope,
        now=utcnow(),
    )


@bp.route("/jobs/<int:job_id>/carrier", methods=["GET", "POST"])
def book(job_id: int):
    """Send a job by agency (the form, then the booking).

    :raises NotFound: for an unknown job or one already sent by agency.
    """
    job = _job(job_id, carrier=False)
    form = BookingForm()
    form.carrier.choices = [(name, name) for name in carrier_shipments.carriers()]
    legs = rules.LEGS[job.kind]
    if len(legs) == 2:
        # Each leg of a swap has its own cost: the first field is then the unit going out.
        form.cost.label.text = "Costo del envío al cliente (S/)"
    if form.validate_on_submit():
        waybills = {
            Direction.TO_CUSTOMER: form.waybill_to_customer.data or "",
            Direction.TO_ST: form.waybill_to_st.data or "",
        }
        booking = carrier_actions.Booking(
            carrier=form.carrier.data,
            agency_branch=form.agency_branch.data,
            declared_units=form.declared_units.data,
            cost=form.cost.data,
            waybills={d: w for d, w in waybills.items() if d in legs},
            return_cost=form.return_cost.data if len(legs) == 2 else None,
        )
        try:
            carrier_actions.book(job, booking, current_user)
        except carrier_actions.ShipmentError as exc:
            discard()
            form.carrier.errors = [*form.carrier.errors, str(exc)]
        else:
            flash(f"Caso {job.case.case_number}: enviado por {booking.carrier}.", "success")
            return redirect(url_for("dispatch.shipment", job_id=job.id), 303)
    status = 422 if form.errors else 200
    return render(
        "dispatch/carrier_book.html",
        "dispatch/carrier_book.html",
        job=job,
        form=form,
        legs=legs,
        now=utcnow(),
    ), status


def _move_form(shipment: Shipment, data=None) -> MoveForm:
    form = MoveForm(formdata=data, prefix=f"s{shipment.id}")
    form.set_choices(shipment.status, rules.NEXT[shipment.status])
    return form


def _show(job: Job, move_forms=None, reception: ReceptionForm | None = None, status: int = 200):
    legs = carrier_shipments.of_job(job)
    forms = {s.id: _move_form(s) for s in legs}
    arrivals = {s.id: carrier_shipments.arrival(s) for s in legs}
    forms.update(move_forms or {})
    return render(
        "dispatch/shipment.html",
        "dispatch/shipment.html",
        job=job,
        legs=legs,
        arrivals=arrivals,
        signatures=carrier_shipments.receiver_signatures(legs),
        move_forms=forms,
        reception=reception or ReceptionForm(formdata=None),
        reception_photos=[p for p in RECEPTION_PHOTOS if p in REQUIRED_PHOTOS[job.kind]],
        closable=job.status in (JobStatus.IN_PROGRESS, JobStatus.REJECTED),
        now=utcnow(),
    ), status


@bp.get("/shipments/jobs/<int:job_id>")
def shipment(job_id: int):
    """A job sent by agency: its shipments and their states, and the reception check.

    :raises NotFound: for an unknown job or one not sent by agency.
    """
    return _show(_job(job_id, carrier=True))


@bp.post("/shipments/<int:shipment_id>/move")
def move_shipment(shipment_id: int):
    """Record a shipment's next state (hand-over with the waybill photo, delivery, return).

    :raises NotFound: for an unknown shipment.
    """
    found = db.session.get(Shipment, shipment_id)
    if found is None:
        abort(404)
    job = _job(found.job_id)  # 404 for a shipment of another branch's job too
    form = _move_form(found, CombinedMultiDict((request.files, request.form)))
    if form.validate():
        upload, signature = form.waybill_photo.data, form.receiver_signature.data
        move = carrier_actions.Move(
            status=ShipmentStatus(form.status.data),
            waybill=form.waybill.data,
            waybill_photo=upload.read() if upload else None,
            receiver_name=form.receiver_name.data,
            receiver_document_id=form.receiver_document_id.data,
            receiver_signature=signature.read() if signature else None,
        )
        try:
            carrier_actions.advance(found, move, current_user)
        except carrier_actions.ShipmentError as exc:
            discard()
            form.status.errors = [*form.status.errors, str(exc)]
        else:
            label = rules.SHIPMENT_STATUS_LABELS[move.status].lower()
            flash(f"Guía {found.waybill or 'sin número'}: {label}.", "success")
            return redirect(url_for("dispatch.shipment", job_id=found.job_id), 303)
    return _show(job, {found.id: form}, status=422)


@bp.post("/shipments/jobs/<int:job_id>/close")
def close_shipment(job_id: int):
    """Record the ST's check of the unit and close the job (it goes to supervisor review).

    :raises NotFound: for an unknown job or one not sent by agency.
    """
    job = _job(job_id, carrier=True)
    form = ReceptionForm()
    if form.validate_on_submit():
        photos = {
            purpose: upload.read() for purpose in RECEPTION_PHOTOS if (upload := form[purpose].data)
        }
        refilled = {"yes": True, "no": False}.get(form.refilled.data or "")
        reception = carrier_actions.Reception(
            checked_service_number=form.checked_service_number.data,
            replacement_service_number=form.replacement_service_number.data,
            refilled=refilled,
            photos=photos,
        )
        try:
            carrier_actions.close(job, reception, current_user)
        except carrier_actions.ShipmentError as exc:
            discard()
            form.form_errors.append(str(exc))
        else:
            flash(f"Caso {job.case.case_number}: trabajo cerrado, pasa a supervisión.", "success")
            return redirect(url_for("dispatch.shipments_index"), 303)
    return _show(job, reception=form, status=422)
