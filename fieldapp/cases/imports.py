"""Upload of the Case Admin's CSV list, with the row-by-row report."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from fieldapp.cases import bp
from fieldapp.services import csv_import
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


@bp.route("/import", methods=["GET", "POST"])
def import_cases():
    """Show the upload form; on upload import every row and show what happened to each."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        report = csv_import.import_cases(form.file.data.stream, current_user)
        if report.file_error:
            discard()
            form.file.errors = [report.file_error]
            report = None
    # The report is shown in answer to the POST (no redirect): there is nowhere to keep it, and
    # sending the same file again is harmless, as re-importing imports nothing twice.
    return render_template(
        "cases/import.html",
        form=form,
        report=report,
        columns=csv_import.COLUMNS,
        max_rows=csv_import.MAX_ROWS,
        max_mb=csv_import.MAX_BYTES // (1024 * 1024),
        outcomes=csv_import.Outcome,
        outcome_labels=csv_import.OUTCOME_LABELS,
    )
