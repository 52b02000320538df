"""Upload of the Case Admin's CSV list, with the row-by-row report."""

from __future__ import annotations

import base64
import binascii

from flask import Response, abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField

from fieldapp.cases import bp
from fieldapp.services.cases import csv_format, csv_import
from fieldapp.transaction import discard


class ImportForm(FlaskForm):
    """One CSV file; its content is checked by the import service."""

    file = FileField(
        "Archivo CSV del Case Admin",
        validators=[
            FileRequired("Elija el archivo CSV que desea importar."),
            FileAllowed(["csv"], "El archivo debe ser un CSV (.csv), no otro tipo de archivo."),
        ],
    )


class RejectedForm(FlaskForm):
    """The rejected rows' file, carried by the report page (nothing of an import is stored)."""

    rows = HiddenField()


@bp.route("/import", methods=["GET", "POST"])
def import_cases():
    """Show the upload form; on upload import every row and show what happened to each."""
    form = ImportForm()
    report = None
    rejected_form = None
    if form.validate_on_submit():
        report = csv_import.import_cases(form.file.data.stream, current_user)
        if report.file_error:
            discard()
            form.file.errors = [report.file_error]
            report = None
        elif report.count(csv_import.Outcome.REJECTED):
            rejected = base64.b64encode(csv_import.rejected_file(report)).decode()
            rejected_form = RejectedForm(formdata=None, rows=rejected)
    # The report is shown in answer to the POST (no redirect): there is nowhere to keep it, and
    # sending the same file again is harmless, as re-importing imports nothing twice.
    return render_template(
        "cases/import.html",
        form=form,
        report=report,
        rejected_form=rejected_form,
        columns=csv_format.COLUMNS,
        max_rows=csv_format.MAX_ROWS,
        max_mb=csv_format.MAX_BYTES // (1024 * 1024),
        outcomes=csv_import.Outcome,
        outcome_labels=csv_import.OUTCOME_LABELS,
    )


@bp.get("/import/plantilla.csv")
def import_template():
    """The import file's template: every column's header, ready to fill in Excel."""
    return _csv_download(csv_format.template_file(), "plantilla-importacion-casos.csv")


@bp.post("/import/rechazadas.csv")
def import_rejected():
    """The rejected rows of the import just shown, as a CSV to fix and upload again.

    :raises BadRequest: without a valid form (CSRF) or with a damaged file.
    """
    form = RejectedForm()
    if not form.validate_on_submit() or len(form.rows.data or "") > csv_format.MAX_BYTES * 2:
        abort(400)
    try:
        body = base64.b64decode(form.rows.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    return _csv_download(body, "filas-rechazadas.csv")


def _csv_download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
