"""Supervisor forms: approve, reject with a reason, bulk approval, queue filters, statement
programme, branch and month."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from fieldapp.cases.forms import choices


class ApproveForm(FlaskForm):
    """Approve one job (the form only carries CSRF)."""


class BulkApproveForm(FlaskForm):
    """Approve every job in the queue that carries no flag."""


class RejectForm(FlaskForm):
    """Send a job back with the reason."""

    reason = TextAreaField(
        "Motivo del rechazo",
        validators=[DataRequired("Indique el motivo del rechazo."), Length(max=500)],
    )
    send_to = SelectField(
        "Devolver a",
        choices=choices(
            [
                ("courier", "Courier (corregir y cerrar de nuevo)"),
                ("dispatch", "Despacho (nueva visita)"),
            ]
        ),
        default="courier",
    )


class QueueFilterForm(FlaskForm):
    """Filters of the review queue (a GET form; the choices are filled by the view)."""

    class Meta:
        csrf = False  # a GET form that only reads

    branch = SelectField("Sede", choices=[], validate_choice=False)
    courier = SelectField("Courier", choices=[], validate_choice=False)
    zone = SelectField(
        "Zona", choices=choices([("", "Todas"), ("lima", "Lima"), ("provinces", "Provincias")])
    )
    flag = SelectField("Observación", choices=[], validate_choice=False)


class StatementForm(FlaskForm):
    """The programme, branch and month of a manufacturer's statement."""

    class Meta:
        csrf = False  # a GET form that only reads

    programme = SelectField(
        "Programa de garantía", choices=[], validate_choice=False, validators=[Optional()]
    )
    branch = SelectField("Sede", choices=[], validate_choice=False, validators=[Optional()])

    month = StringField(
        "Mes (AAAA-MM)",
        validators=[
            DataRequired("Indique el mes."),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message="Use el formato AAAA-MM, p. ej. 2026-11."),
        ],
    )
