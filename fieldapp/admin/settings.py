"""Administration of the warranty programmes and the ST's branches: list, create, edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from fieldapp.admin import bp
from fieldapp.admin.forms import BranchForm, ProgrammeForm
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.service_number import normalise
from fieldapp.domain.settings_text import format_families, parse_families, parse_lines
from fieldapp.extensions import db
from fieldapp.models import Branch, Programme
from fieldapp.services.organisation import SettingError, branches, programmes
from fieldapp.transaction import discard

# -- programmes ---------------------------------------------------------------------------------


@bp.get("/programmes")
def programme_list():
    """Every warranty programme with its main settings."""
    return render_template("admin/programmes.html", programmes=programmes.every())


def _programme(programme_id: int) -> Programme:
    found = db.session.get(Programme, programme_id)
    if found is None:
        abort(404)
    return found


def _programme_form(programme: Programme | None) -> ProgrammeForm:
    """The form, filled from the programme on a first view (the typed values on a post)."""
    form = ProgrammeForm(obj=programme)
    if programme is not None and not form.is_submitted():
        form.model_families.data = format_families(programme.model_families)
        form.referral_centres.data = "\n".join(programme.referral_centres or [])
    return form


def _edit_programme(programme: Programme | None):
    form = _programme_form(programme)
    if form.validate_on_submit():
        values = programmes.ProgrammeValues(
            code=form.code.data,
            name=form.name.data.strip(),
            brand=form.brand.data.strip(),
            doa_days=form.doa_days.data,
            warranty_months=form.warranty_months.data,
            service_number_pattern=form.service_number_pattern.data.strip(),
            service_number_example=normalise(form.service_number_example.data),
            model_families=parse_families(form.model_families.data),
            referral_centres=parse_lines(form.referral_centres.data) or None,
            case_admin_email=(form.case_admin_email.data or "").strip() or None,
            active=form.active.data,
        )
        try:
            saved = programmes.save(programme, values, current_user)
        except SettingError as error:
            discard()
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(f"Programa {saved.name} guardado.", "success")
            return redirect(url_for("admin.programme_list"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/programme_form.html", form=form, programme=programme), status


@bp.route("/programmes/new", methods=["GET", "POST"])
def programme_new():
    """Create a warranty programme."""
    return _edit_programme(None)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
def programme_edit(programme_id: int):
    """Change a warranty programme's settings.

    :raises NotFound: for an unknown programme.
    """
    return _edit_programme(_programme(programme_id))


# -- branches -----------------------------------------------------------------------------------


@bp.get("/branches")
def branch_list():
    """Every branch with its address and point."""
    return render_template("admin/branches.html", branches=branches.every())


def _branch_form(branch: Branch | None) -> BranchForm:
    """The form, filled from the branch on a first view; its point shows only when set by hand
    (not its district's), so changing the district moves it."""
    form = BranchForm(obj=branch)
    if branch is not None and not form.is_submitted():
        district = Gazetteer.default().get(branch.ubigeo)
        if district is not None and district.point == branch.point:
            form.lat.data = form.lon.data = None
    return form


def _edit_branch(branch: Branch | None):
    form = _branch_form(branch)
    if form.validate_on_submit():
        values = branches.BranchValues(
            code=form.code.data,
            name=form.name.data,
            address=form.address.data,
            ubigeo=form.ubigeo.data,
            lat=form.lat.data,
            lon=form.lon.data,
            active=form.active.data,
        )
        try:
            saved = branches.save(branch, values, current_user)
        except SettingError as error:
            discard()
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(f"Sede {saved.name} guardada.", "success")
            return redirect(url_for("admin.branch_list"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/branch_form.html", form=form, branch=branch), status


@bp.route("/branches/new", methods=["GET", "POST"])
def branch_new():
    """Create a branch."""
    return _edit_branch(None)


@bp.route("/branches/<int:branch_id>", methods=["GET", "POST"])
def branch_edit(branch_id: int):
    """Change a branch.

    :raises NotFound: for an unknown branch.
    """
    branch = db.session.get(Branch, branch_id)
    if branch is None:
        abort(404)
    return _edit_branch(branch)
