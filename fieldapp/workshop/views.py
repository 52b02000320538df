"""Workshop: reception, the repair queue against the 3-business-day clock, and the repair page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from fieldapp.domain.case_flow import Status
from fieldapp.models import Case
from fieldapp.models.types import utcnow
from fieldapp.services.cases.queries import case_by_number_or_404
from fieldapp.services.documents import issuing
from fieldapp.services.workshop import queries, repairs
from fieldapp.services.workshop.repairs import COUNTER_COLLECTION, REPAIR_FLOWS, WorkshopError
from fieldapp.transaction import discard
from fieldapp.workshop import bp
from fieldapp.workshop.forms import (
    CollectForm,
    DiagnosisForm,
    DoneForm,
    ExchangeForm,
    NoteForm,
    PartForm,
    ReceptionForm,
)


def _index_page(form: ReceptionForm, status: int = 200):
    now = utcnow()
    ready = queries.awaiting_collection()
    return (
        render_template(
            "workshop/index.html", form=form, rows=repairs.repair_queue(now), ready=ready, now=now
        ),
        status,
    )


@bp.get("/")
def index():
    """Reception form, the repair queue by deadline, and units waiting to be collected."""
    return _index_page(ReceptionForm(formdata=None))


@bp.post("/receive")
def receive():
    """Receive a unit (or void its warranty for refilled cartridges)."""
    form = ReceptionForm()
    if not form.validate_on_submit():
        return _index_page(form, 422)
    try:
        case = repairs.find_for_reception(form.query.data)
        repairs.receive(
            case,
            current_user,
            refilled=form.refilled.data == "yes",
            accessories=form.accessories.data,
            condition=form.condition.data,
        )
    except WorkshopError as error:
        discard()
        form.query.errors = [str(error)]
        return _index_page(form, 422)
    if case.status is Status.VOID:
        flash(f"Caso {case.case_number}: cartuchos rellenados, garantía anulada.", "error")
    else:
        flash(f"Equipo del caso {case.case_number} recibido en taller.", "success")
    return redirect(url_for("workshop.show", case_number=case.case_number), 303)


def _load(case_number: str) -> Case:
    """The repair case with this number.

    :raises NotFound: (404) for an unknown case or one the workshop does not repair.
    """
    case = case_by_number_or_404(case_number)
    if case.flow not in REPAIR_FLOWS:
        abort(404)
    return case


def _case_page(case: Case, status: int = 200, **forms):
    parts = repairs.available_parts()
    part_form = forms.get("part_form") or PartForm(formdata=None)
    part_form.part.choices = [(0, "—")] + [
        (p.id, f"{p.name} (de {p.donor.service_number})") for p in parts
    ]
    repair = repairs.find_repair(case)
    context = {
        "case": case,
        "repair": repair,
        "now": utcnow(),
        "parts_used": repairs.parts_used(case),
        "documents": issuing.for_case(case),
        "diagnosis_form": forms.get("diagnosis_form")
        or DiagnosisForm(formdata=None, diagnosis=repair.diagnosis if repair else None),
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "part_form": part_form,
        "done_form": DoneForm(),
        "exchange_form": forms.get("exchange_form") or ExchangeForm(formdata=None),
        "collect_form": forms.get("collect_form") or CollectForm(formdata=None),
        "counter": case.flow in COUNTER_COLLECTION,
        "error": forms.get("error"),
    }
    return render_template("workshop/case.html", **context), status


@bp.get("/cases/<case_number>")
def show(case_number: str):
    """One repair: facts, clock, diagnosis, notes, parts, and what can be done next.

    :raises NotFound: for an unknown or non-repair case.
    """
    return _case_page(_load(case_number))


def _done(case: Case, message: str):
    flash(message, "success")
    return redirect(url_for("workshop.show", case_number=case.case_number), 303)


def _failed(case: Case, error: WorkshopError, form_name: str, form):
    discard()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [str(error)]
        return _case_page(case, 422, **{form_name: form})
    return _case_page(case, 422, **{form_name: form, "error": str(error)})


@bp.post("/cases/<case_number>/diagnosis")
def diagnosis(case_number: str):
    """Record the diagnosis.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    form = DiagnosisForm()
    if not form.validate_on_submit():
        return _case_page(case, 422, diagnosis_form=form)
    try:
        repairs.set_diagnosis(case, current_user, form.diagnosis.data)
    except WorkshopError as error:
        return _failed(case, error, "diagnosis_form", form)
    return _done(case, "Diagnóstico guardado.")


@bp.post("/cases/<case_number>/notes")
def note(case_number: str):
    """Add a repair note.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    form = NoteForm()
    if not form.validate_on_submit():
        return _case_page(case, 422, note_form=form)
    try:
        repairs.add_note(case, current_user, form.text.data)
    except WorkshopError as error:
        return _failed(case, error, "note_form", form)
    return _done(case, "Nota agregada.")


@bp.post("/cases/<case_number>/parts")
def use_part(case_number: str):
    """Use a part from a DOA donor unit in this repair.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    form = PartForm()
    part = queries.spare_part(form.part.data) if form.validate_on_submit() else None
    if part is None:
        form.part.errors = ["Elija un repuesto disponible."]
        return _case_page(case, 422, part_form=form)
    try:
        repairs.use_part(case, part, current_user)
    except WorkshopError as error:
        return _failed(case, error, "part_form", form)
    return _done(case, f"Repuesto «{part.name}» usado en la reparación.")


@bp.post("/cases/<case_number>/done")
def repair_done(case_number: str):
    """Mark the repair done.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    if not DoneForm().validate_on_submit():
        abort(400)
    try:
        repairs.repair_done(case, current_user)
    except WorkshopError as error:
        return _failed(case, error, "done_form", DoneForm())
    return _done(case, "Reparación registrada.")


@bp.post("/cases/<case_number>/exchange")
def exchange(case_number: str):
    """The unit cannot be repaired: swap it for an exchange unit from stock.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    form = ExchangeForm()
    if not form.validate_on_submit():
        return _case_page(case, 422, exchange_form=form)
    try:
        unit = repairs.swap_for_exchange(case, current_user, form.reason.data)
    except WorkshopError as error:
        return _failed(case, error, "exchange_form", form)
    return _done(case, f"Se entregará el equipo de intercambio {unit.service_number}.")


@bp.post("/cases/<case_number>/collect")
def collect(case_number: str):
    """The customer collects the unit at the counter and signs for it.

    :raises NotFound: for an unknown case.
    """
    case = _load(case_number)
    form = CollectForm()
    if not form.validate_on_submit():
        return _case_page(case, 422, collect_form=form)
    try:
        repairs.collect_at_counter(
            case,
            current_user,
            form.signer_name.data,
            form.signer_document_id.data,
            form.signature.data,
        )
    except WorkshopError as error:
        return _failed(case, error, "collect_form", form)
    return _done(case, "Equipo entregado al cliente; caso cerrado.")
