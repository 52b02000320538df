"""Stock page: counts and shortage, units at the ST, movements, and the stock operations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from fieldapp.domain.stock import CATEGORY_LABELS, MOVEMENT_LABELS, STATUS_LABELS, StockCategory
from fieldapp.extensions import db
from fieldapp.models import StockUnit
from fieldapp.services.cases import intake
from fieldapp.services.workshop import inventory, spare_parts, stock_counts, store_credit
from fieldapp.services.workshop.inventory import StockError
from fieldapp.stock import bp
from fieldapp.stock.forms import CaseNumberForm, CreditForm, DonorForm, ReceiveForm, UnitActionForm
from fieldapp.transaction import discard

FORMS = {
    "receive_form": ReceiveForm,
    "reserve_form": CaseNumberForm,
    "collect_form": CaseNumberForm,
    "credit_form": CreditForm,
}


def _page(status: int = 200, **given):
    forms = {
        name: given.get(name) or cls(formdata=None, prefix=name.removesuffix("_form"))
        for name, cls in FORMS.items()
    }
    forms["receive_form"].programme.choices = [(p.code, p.name) for p in intake.active_programmes()]
    return (
        render_template(
            "stock/index.html",
            data=stock_counts.overview(),
            donor_form=DonorForm(formdata=None),
            unit_form=UnitActionForm(formdata=None),
            category_labels=CATEGORY_LABELS,
            status_labels=STATUS_LABELS,
            movement_labels=MOVEMENT_LABELS,
            **forms,
        ),
        status,
    )


def _saved(message: str):
    flash(message, "success")
    return redirect(url_for("stock.index"), 303)


def _refused(form_name: str, form, field: str, error: StockError):
    discard()
    getattr(form, field).errors = [str(error)]
    return _page(422, **{form_name: form})


@bp.get("/")
def index():
    """On-hand and reserved counts per model, tomorrow's shortage, units and movements."""
    return _page()


@bp.post("/receive")
def receive():
    """A unit received from a programme's manufacturer."""
    form = ReceiveForm(prefix="receive")
    if not form.validate_on_submit():
        return _page(422, receive_form=form)
    try:
        programme = intake.programme_for(form.programme.data or None)
    except LookupError as error:
        return _refused("receive_form", form, "programme", StockError(str(error)))
    try:
        unit = inventory.receive_from_manufacturer(
            programme,
            form.service_number.data,
            form.model.data,
            StockCategory(form.category.data),
            current_user,
        )
    except StockError as error:
        return _refused("receive_form", form, "service_number", error)
    return _saved(f"Equipo {unit.service_number} recibido de {programme.brand}.")


@bp.post("/reserve")
def reserve():
    """Reserve a new unit for a case's DOA swap visit."""
    form = CaseNumberForm(prefix="reserve")
    if not form.validate_on_submit():
        return _page(422, reserve_form=form)
    try:
        unit = inventory.reserve_for_case(form.case_number.data, current_user)
    except StockError as error:
        return _refused("reserve_form", form, "case_number", error)
    return _saved(f"Equipo {unit.service_number} reservado para el caso {form.case_number.data}.")


@bp.post("/collect-doa")
def collect_doa():
    """Take a swapped DOA case's failed unit into stock."""
    form = CaseNumberForm(prefix="collect")
    if not form.validate_on_submit():
        return _page(422, collect_form=form)
    try:
        unit = inventory.collect_doa_for_case(form.case_number.data, current_user)
    except StockError as error:
        return _refused("collect_form", form, "case_number", error)
    return _saved(f"Equipo DOA {unit.service_number} recibido en stock.")


@bp.post("/credit")
def credit():
    """A unit that failed at the moment of sale, credited to the store (no case)."""
    form = CreditForm(prefix="credit")
    if not form.validate_on_submit():
        return _page(422, credit_form=form)
    try:
        store = store_credit.store_for_credit(form.store_name.data, form.store_ubigeo.data)
    except StockError as error:
        return _refused("credit_form", form, "store_ubigeo", error)
    try:
        movement = store_credit.credit_at_sale(
            store, form.service_number.data, form.model.data, current_user, form.note.data
        )
    except StockError as error:
        return _refused("credit_form", form, "service_number", error)
    return _saved(f"Crédito a {store.name} por el equipo {movement.service_number} registrado.")


def _unit(unit_id: int) -> StockUnit:
    unit = db.session.get(StockUnit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.post("/units/<int:unit_id>/donor")
def donor(unit_id: int):
    """Turn a collected DOA unit into a parts donor.

    :raises NotFound: for an unknown unit.
    """
    unit = _unit(unit_id)
    form = DonorForm()
    try:
        if not form.validate_on_submit():
            raise StockError("Indique al menos un repuesto utilizable.")
        spare_parts.make_parts_donor(unit, form.parts.data.splitlines(), current_user)
    except StockError as error:
        discard()
        flash(f"{unit.service_number}: {error}", "error")
        return _page(422)
    return _saved(f"Equipo {unit.service_number} registrado como donante de repuestos.")


@bp.post("/units/<int:unit_id>/return")
def return_unit(unit_id: int):
    """Send a unit back to Kodak.

    :raises NotFound: for an unknown unit.
    """
    unit = _unit(unit_id)
    form = UnitActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        inventory.return_to_manufacturer(unit, current_user, form.note.data or None)
    except StockError as error:
        discard()
        flash(str(error), "error")
        return _page(422)
    return _saved(f"Equipo {unit.service_number} devuelto a Kodak.")


@bp.post("/units/<int:unit_id>/release")
def release(unit_id: int):
    """Put a reserved unit back on hand.

    :raises NotFound: for an unknown unit.
    """
    unit = _unit(unit_id)
    if not UnitActionForm().validate_on_submit():
        abort(400)
    try:
        inventory.release(unit, current_user)
    except StockError as error:
        discard()
        flash(str(error), "error")
        return _page(422)
    return _saved(f"Reserva del equipo {unit.service_number} liberada.")
