"""Cases: the list with filters, the case page with its timeline, and intake at the counter."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.cases import bp
from fieldapp.cases.forms import CaseForm
from fieldapp.domain.case_flow import Flow, Origin, Status
from fieldapp.domain.deadlines import Urgency
from fieldapp.domain.geo import Gazetteer, Zone
from fieldapp.models.types import utcnow
from fieldapp.services.cases import history, intake
from fieldapp.services.cases import queries as case_queries
from fieldapp.services.cases import search as case_search
from fieldapp.services.cases.intake_preview import Preview, preview
from fieldapp.services.organisation import branches
from fieldapp.transaction import discard
from fieldapp.web.rendering import render


def _enum_arg(name: str, enum_cls):
    value = request.args.get(name, "")
    return enum_cls(value) if value in enum_cls._value2member_map_ else None


@bp.get("/")
def index():
    """Cases filtered by branch (the user's own until they choose "Todas"), status, flow, zone,
    urgency and text; htmx gets just the results."""
    filters = case_search.CaseFilters(
        programme=request.args.get("programme", "")[:32],
        branch=request.args.get("branch", branches.own_code(current_user))[:32],
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
    case = case_queries.case_by_number_or_404(case_number)
    now = utcnow()
    return render_template(
        "cases/show.html",
        case=case,
        row=case_search.row_for(case, now),
        timeline=history.timeline(case),
        jobs=history.jobs(case),
        district=Gazetteer.default().get(case.ubigeo),
        now=now,
    )


def _resolve_places(form: CaseForm) -> None:
    """A district typed but not picked from the suggestions is taken when it names exactly one
    district; otherwise the clerk is asked to pick one (the UBIGEO stays empty)."""
    gazetteer = Gazetteer.default()
    for prefix in ("customer", "store"):
        text, code = getattr(form, f"{prefix}_place"), getattr(form, f"{prefix}_district")
        code.data = (code.data or "").strip()
        typed = (text.data or "").strip()
        if code.data or not typed:
            continue
        found = gazetteer.resolve(typed)
        if found is not None:
            code.data, text.data = found.ubigeo, found.label
        elif not text.errors:
            text.errors = [f"Elija el distrito «{typed}» de la lista de sugerencias."]


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
        origin=_origin(form),
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


def _origin(form: CaseForm) -> Origin:
    value = form.origin.data
    return Origin(value) if value in Origin._value2member_map_ else Origin.ST_COUNTER


def _programme_choices(form: CaseForm) -> None:
    """The active programmes to choose from (the only one chosen already when there is one)."""
    found = intake.active_programmes()
    form.programme.choices = ([("", "— Elija —")] if len(found) > 1 else []) + [
        (p.code, p.name) for p in found
    ]
    if len(found) == 1 and not form.programme.data:
        form.programme.data = found[0].code


def _show_errors(form: CaseForm, errors: dict[str, list[str]]) -> list[str]:
    """Put each intake error next to its field (unless the form already found a problem
    there); return the ones with no field on this form."""
    loose = []
    for name, messages in errors.items():
        field = form.field_for(name)
        if field is None:
            loose.extend(messages)
        elif not field.errors:
            field.errors = list(dict.fromkeys(messages))
    return loose


def _programme(form: CaseForm):
    """The programme the form names (the only active one when there is one).

    :raises LookupError: with the message to show when none or an unknown one is named.
    """
    return intake.programme_for(form.programme.data)


def _preview(form: CaseForm):
    """What the rules say about the fields filled so far (the panel beside the form)."""
    try:
        programme = _programme(form)
    except LookupError as exc:
        return Preview(errors={"programme": str(exc)})
    origin = _origin(form)
    use_store = origin is Origin.STORE
    return preview(
        settings=intake.settings_for(programme),
        now=utcnow(),
        raw_service_number=form.service_number.data,
        product_type=form.product_type.data or "printer",
        purchase_date=form.purchase_date.data,
        failure_date=form.failure_date.data,
        ubigeo=(form.store_district.data if use_store else form.customer_district.data) or None,
        origin=origin,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a case at the counter (or for a store); the same rules as the API and CSV.
    A refused form shows every problem at once: the form's own checks and intake's rules."""
    form = CaseForm()
    _programme_choices(form)
    if request.method == "GET":
        form.origin.data = Origin.ST_COUNTER.value
        return render_template("cases/new.html", form=form, loose_errors=[], preview=None)
    form_ok = form.validate_on_submit()
    _resolve_places(form)
    data = _case_input(form)
    loose: list[str] = []
    try:
        programme = _programme(form)
        if form_ok and not form.errors:
            case = intake.open_case(data, current_user, programme)
        else:
            intake.assess(data, intake.settings_for(programme))
    except LookupError as exc:
        loose = _show_errors(form, {"programme": [str(exc)]})
    except intake.IntakeError as exc:
        discard()  # before the page reads anything: nothing of the refused case is kept
        loose = _show_errors(form, exc.errors)
    except intake.DuplicateCase as exc:
        discard()
        loose = _show_errors(form, {exc.field: [str(exc)]})
    else:
        if form_ok and not form.errors:
            flash(f"Caso {case.case_number} registrado.", "success")
            return redirect(url_for("cases.show", case_number=case.case_number), 303)
    loose.extend(form.form_errors)
    if form.csrf_token.errors:
        loose.extend(form.csrf_token.errors)
    return render_template(
        "cases/new.html", form=form, loose_errors=loose, preview=_preview(form)
    ), 422


@bp.post("/new/assess")
def assess():
    """htmx: what the rules say about the form as filled so far (nothing is stored)."""
    form = CaseForm()
    _programme_choices(form)
    form.validate()  # only to coerce the values; rule messages come from the preview
    return render_template("cases/_assessment.html", preview=_preview(form))


@bp.get("/places")
def places():
    """htmx: the districts matching what was typed in a district field (type-ahead).

    :raises NotFound: for an unknown field prefix.
    """
    prefix = request.args.get("prefix", "")
    if prefix not in {"customer", "store"}:
        abort(404)
    typed = request.args.get(f"{prefix}_place", "")[:120]
    found = Gazetteer.default().search(typed) if len(typed.strip()) >= 2 else []
    return render_template("cases/_places.html", prefix=prefix, districts=found, typed=typed)
