"""Supervisor reports: the deadlines dashboard and each programme's monthly statement."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user

from fieldapp.domain.case_flow import FLOW_LABELS
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.models.types import utcnow
from fieldapp.services.cases import intake
from fieldapp.services.organisation import branches
from fieldapp.services.supervisor import figures as dashboard_service
from fieldapp.services.supervisor import statement as statement_service
from fieldapp.supervisor import bp
from fieldapp.supervisor.forms import StatementForm
from fieldapp.supervisor.views import branch_choices


@bp.get("/dashboard")
def dashboard():
    """Deadlines met per flow and week, cases at risk, jobs per courier, DOA rate, parts (of
    one programme's cases, of one branch's, when chosen)."""
    now = utcnow()
    programmes = intake.active_programmes()
    code = request.args.get("programme", "")
    chosen = next((p for p in programmes if p.code == code), None)
    scope = branches.scope_for(current_user, request.args.get("branch"))
    return render_template(
        "supervisor/dashboard.html",
        data=dashboard_service.build(now, chosen.id if chosen else None, scope.branch_id),
        now=now,
        flow_labels=FLOW_LABELS,
        programmes=programmes,
        chosen=chosen,
        scope=scope,
        branch_choices=branch_choices(scope),
    )


@bp.get("/statement")
def statement():
    """The month picker, the month's statement, and its CSV and PDF downloads."""
    default = utcnow().astimezone(LIMA_TZ).strftime("%Y-%m")
    form = StatementForm(request.args if "month" in request.args else None, month=default)
    found = intake.active_programmes()
    form.programme.choices = [(p.code, p.name) for p in found]
    scope = branches.scope_for(current_user, form.branch.data)
    form.branch.choices = branch_choices(scope)
    form.branch.data = scope.code
    if not form.programme.data and len(found) == 1:
        form.programme.data = found[0].code
    programme = None
    if form.validate():
        try:
            programme = intake.programme_for(form.programme.data or None)
        except LookupError as exc:
            form.programme.errors = [*form.programme.errors, str(exc)]
    if programme is None:
        return render_template("supervisor/statement.html", form=form, data=None), 422
    try:
        data = statement_service.build(form.month.data, programme, scope.branch)
    except statement_service.StatementError as error:
        form.month.errors.append(str(error))
        return render_template("supervisor/statement.html", form=form, data=None), 422
    fmt = request.args.get("format")
    if fmt == "csv":
        return _download(statement_service.to_csv(data), "text/csv", data, "csv")
    if fmt == "pdf":
        return _download(statement_service.to_pdf(data), "application/pdf", data, "pdf")
    return render_template(
        "supervisor/statement.html", form=form, data=data, flow_labels=FLOW_LABELS
    )


def _download(body: bytes, mimetype: str, data, ext: str) -> Response:
    response = Response(body, mimetype=mimetype)  # werkzeug adds "; charset=utf-8" to text/*
    branch = f"-{data.branch_code}" if data.branch_code else ""
    name = f"liquidacion-{data.programme_code}{branch}-{data.month}.{ext}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
