"""Supervisor: the review queue of closed jobs, approval and rejection, evidence files."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.cases.forms import choices
from fieldapp.domain.geo import Zone
from fieldapp.domain.review import FLAG_LABELS, Flag
from fieldapp.services.cases.visits import JobError
from fieldapp.services.organisation import branches
from fieldapp.services.supervisor import approval
from fieldapp.supervisor import bp
from fieldapp.supervisor.forms import ApproveForm, BulkApproveForm, QueueFilterForm, RejectForm
from fieldapp.transaction import discard

_SUBMITTED = object()


def branch_choices(scope: branches.Scope) -> list:
    """The branch selector's options ("Todas las sedes" first); none when the person may only
    see their own branch or there is a single one."""
    if len(scope.choosable) < 2:
        return []
    return choices(
        [(branches.ALL, "Todas las sedes"), *((b.code, b.name) for b in scope.choosable)]
    )


def _filters() -> tuple[QueueFilterForm, approval.QueueFilter, dict[str, str]]:
    """The queue's filters from the query string (unknown values are ignored; the branch is
    the supervisor's own unless they may choose), and the query arguments that keep them
    across approve and reject."""
    form = QueueFilterForm(request.args)
    scope = branches.scope_for(current_user, form.branch.data)
    form.branch.choices = branch_choices(scope)
    form.branch.data = scope.code
    form.courier.choices = choices(
        [("", "Todos"), *((str(u.id), u.full_name) for u in approval.couriers(scope.branch_id))]
    )
    form.flag.choices = choices(
        [("", "Todas"), ("clean", "Sin observaciones"), *FLAG_LABELS.items()]
    )
    courier = form.courier.data if (form.courier.data or "").isdigit() else None
    zone = form.zone.data if form.zone.data in Zone._value2member_map_ else None
    flag = form.flag.data if form.flag.data in Flag._value2member_map_ else None
    filters = approval.QueueFilter(
        branch_id=scope.branch_id,
        courier_id=int(courier) if courier else None,
        zone=Zone(zone) if zone else None,
        flag=Flag(flag) if flag else None,
        clean=form.flag.data == "clean",
    )
    kept = {
        "branch": scope.code if form.branch.choices and request.args.get("branch") else None,
        "courier": courier,
        "zone": zone,
        "flag": "clean" if filters.clean else flag,
    }
    return form, filters, {name: value for name, value in kept.items() if value}


def _queue_page(status: int = 200, reject_forms: dict | None = None, errors: dict | None = None):
    filter_form, filters, kept = _filters()
    items = approval.queue(filters)
    forms = reject_forms or {}
    return (
        render_template(
            "supervisor/index.html",
            items=items,
            filter_form=filter_form,
            kept=kept,
            approve_form=ApproveForm(),
            bulk_form=BulkApproveForm(),
            reject_forms={
                i.job.id: forms.get(i.job.id) or _reject_form(i.job.id, None) for i in items
            },
            flag_labels=FLAG_LABELS,
            errors=errors or {},
            clean_count=sum(1 for i in items if i.review.clean),
        ),
        status,
    )


def _reject_form(job_id: int, formdata=_SUBMITTED) -> RejectForm:
    """The reject form of one job (prefixed, so every card's fields have their own ids)."""
    if formdata is _SUBMITTED:
        return RejectForm(prefix=f"job{job_id}")
    return RejectForm(prefix=f"job{job_id}", formdata=formdata)


def _pending(job_id: int):
    """A job waiting for review that the supervisor may act on (their branch's when they are
    bound to one).

    :raises NotFound: when unknown, already reviewed, or of another branch.
    """
    job = approval.pending_job(job_id)
    if job is None or not branches.may_act_on(current_user, job.case.branch_id):
        abort(404)
    return job


@bp.get("/")
def index():
    """Jobs closed by couriers and waiting for review, oldest first, evidence side by side."""
    return _queue_page()


@bp.post("/jobs/<int:job_id>/approve")
def approve(job_id: int):
    """Approve one job.

    :raises NotFound: when the job is not waiting for review.
    """
    job = _pending(job_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        approval.approve(job, current_user)
    except JobError as error:
        discard()
        return _queue_page(422, errors={job_id: str(error)})
    flash(f"Trabajo del caso {job.case.case_number} aprobado.", "success")
    return redirect(url_for("supervisor.index", **_filters()[2]), 303)


@bp.post("/jobs/<int:job_id>/reject")
def reject(job_id: int):
    """Send one job back with a reason.

    :raises NotFound: when the job is not waiting for review.
    """
    job = _pending(job_id)
    form = _reject_form(job_id)
    if not form.validate_on_submit():
        return _queue_page(422, reject_forms={job_id: form})
    try:
        approval.reject(
            job, current_user, form.reason.data, to_dispatch=form.send_to.data == "dispatch"
        )
    except JobError as error:
        discard()
        return _queue_page(422, errors={job_id: str(error)})
    flash(f"Trabajo del caso {job.case.case_number} devuelto.", "success")
    return redirect(url_for("supervisor.index", **_filters()[2]), 303)


@bp.post("/bulk-approve")
def bulk_approve():
    """Approve every job shown in the (filtered) queue that carries no flag."""
    if not BulkApproveForm().validate_on_submit():
        abort(400)
    _, filters, kept = _filters()
    approved = approval.bulk_approve(current_user, filters=filters)
    flash(f"{len(approved)} trabajos sin observaciones aprobados.", "success")
    return redirect(url_for("supervisor.index", **kept), 303)


from fieldapp.supervisor import reports  # noqa: E402, F401  (dashboard and statement pages)
