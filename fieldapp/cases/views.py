"""Cases: the list with filters, the case page with its timeline, and intake at the counter."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from fieldapp.cases import bp
from fieldapp.cases.forms import CaseForm, choices
from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.geo import Gazetteer, Zone
from fieldapp.extensions import db
from fieldapp.models import Case
from fieldapp.models.types import utcnow
from fieldapp.services import branches, case_history, case_search, intake
from fieldapp.services.intake_preview import Preview, preview
from fieldapp.web.rendering import render


def _enum_arg(name: str, enum_cls):
    value = request.args.get(name, "")
    return enum_cls(value) if value in enum_cls._value2member_map_ else None


@bp.get("/")
def index():
    """Cases filtered by status, flow, zone, urgency and text; htmx gets just the results."""
    filters = case_search.CaseFilters(
        programme=request.args.get("programme", "")[:32],
        branch=request.args.get("branch", "")[:32],
        status=_enum_arg("status", Status),
        flow=_enum_arg("flow", Flow),
        zone=_enum_arg("zone", Zone),
        urgency=_enum_arg("urgency", Urgency),
        q=request.args.get("q", "")[:100],
        page=max(request.args.get("page", 1, type=int) or 1, 1),
    )
    now = utcnow()
    results = case_search.search(filters, now)
    return render(
        "cases/index.html",
        "cases/_results.html",
        results=results,
        filters=filters,
        now=now,
        statuses=list(Status),
        flows=list(Flow),
        programmes=intake.active_programmes(),
        branches=branches.active(),
    )


@bp.get("/<case_number>")
def show(case_number: str):
    """One case: unit, customer, deadlines, jobs and its timeline.

    :raises NotFound: for an unknown case number.
    """
    case = db.session.scalar(select(Case).where(Case.case_number == case_number))
    if case is None:
        abort(404)
    now = utcnow()
    return render_template(
        "cases/show.html",
        case=case,
        row=case_search.row_for(case, now),
        timeline=case_history.timeline(case),
        jobs=case_history.jobs(case),
        district=Gazetteer.default().get(case.ubigeo),
        now=now,
    )


def _place_choices(form: CaseForm, prefix: str) -> None:
    """Fill the department → province → district selects from the gazetteer and the input."""
    gazetteer = Gazetteer.default()
    department = getattr(form, f"{prefix}_department")
    province = getattr(form, f"{prefix}_province")
    district = getattr(form, f"{prefix}_district")
    department.choices = choices([("", "—"), *gazetteer.departments()])
    province.choices = choices([("", "—"), *gazetteer.provinces(department.data or "")])
    district.choices = choices(
        [("", "—")] + [(d.ubigeo, d.district) for d in gazetteer.districts(province.data or "")]
    )


def _case_input(form: CaseForm) -> intake.CaseInput:
    store = None
    if form.store_name.data or form.store_district.data:
        store = intake.StoreInput(
            name=form.store_name.data or "",
            ubigeo=form.store_district.data or "",
            address=form.store_address.data,
        )
    return intake.CaseInput(
        case_number=form.case_number.data or "",
        service_number=form.service_number.data or "",
        product_type=form.product_type.data,
        model=form.model.data,
        purchase_date=form.purchase_date.data,
        failure_date=form.failure_date.data,
        origin=Origin(form.origin.data),
        store=store,
        proof_type=form.proof_type.data,
        proof_number=form.proof_number.data,
        notes=form.notes.data,
        customer=intake.CustomerInput(
            name=form.customer_name.data or "",
            phone=form.customer_phone.data,
            email=form.customer_email.data,
            document_id=form.customer_document_id.data,
            address=form.customer_address.data,
            ubigeo=form.customer_district.data or None,
        ),
    )


def _programme_choices(form: CaseForm) -> None:
    """The active programmes to choose from (the only one chosen already when there is one)."""
    found = intake.active_programmes()
    form.programme.choices = ([("", "— Elija —")] if len(found) > 1 else []) + [
        (p.code, p.name) for p in found
    ]
    if len(found) == 1 and not form.programme.data:
        form.programme.data = found[0].code


def _show_errors(form: CaseForm, errors: dict[str, list[str]]) -> list[str]:
    """Put each intake error next to its field; return the ones with no field on this form."""
    loose = []
    for name, messages in errors.items():
        field = getattr(form, CaseForm.FIELD_FOR.get(name, ""), None)
        if field is None:
            loose.extend(messages)
        else:
            field.errors = [*field.errors, *messages]
    return loose


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a case at the counter (or for a store); the same rules as the API and CSV."""
    form = CaseForm()
    _programme_choices(form)
    if request.method == "GET":
        form.origin.data = Origin.ST_COUNTER.value
    _place_choices(form, "customer")
    _place_choices(form, "store")
    loose: list[str] = []
    if form.validate_on_submit():
        try:
            programme = intake.programme_for(form.programme.data)
            case = intake.open_case(_case_input(form), current_user, programme)
        except LookupError as exc:
            loose = _show_errors(form, {"programme": [str(exc)]})
        except intake.IntakeError as exc:
            loose = _show_errors(form, exc.errors)
        except intake.DuplicateCase as exc:
            loose = _show_errors(form, {exc.field: [str(exc)]})
        else:
            db.session.commit()
            flash(f"Caso {case.case_number} registrado.", "success")
            return redirect(url_for("cases.show", case_number=case.case_number), 303)
    return render_template("cases/new.html", form=form, loose_errors=loose, preview=None)


@bp.post("/new/assess")
def assess():
    """htmx: what the rules say about the form as filled so far (nothing is stored)."""
    form = CaseForm()
    form.validate()  # only to coerce the values; rule messages come from the preview
    origin = form.origin.data if form.origin.data in Origin._value2member_map_ else "st_counter"
    use_store = origin == Origin.STORE.value
    try:
        programme = intake.programme_for(form.programme.data)
    except LookupError as exc:
        return render_template(
            "cases/_assessment.html", preview=Preview(errors={"programme": str(exc)})
        )
    result = preview(
        settings=intake.settings_for(programme),
        now=utcnow(),
        raw_service_number=form.service_number.data,
        product_type=form.product_type.data or "printer",
        purchase_date=form.purchase_date.data,
        failure_date=form.failure_date.data,
        ubigeo=(form.store_district.data if use_store else form.customer_district.data) or None,
        origin=Origin(origin),
    )
    return render_template("cases/_assessment.html", preview=result)


@bp.get("/places/<level>")
def places(level: str):
    """htmx: the province or district select for a chosen department or province.

    :raises NotFound: for an unknown level or prefix.
    """
    prefix = request.args.get("prefix", "")
    if level not in {"provinces", "districts"} or prefix not in {"customer", "store"}:
        abort(404)
    form = CaseForm(formdata=request.args, meta={"csrf": False})
    _place_choices(form, prefix)
    return render_template("cases/_places.html", form=form, prefix=prefix, level=level)
