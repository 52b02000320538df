"""Jinja filters: times shown in America/Lima, values shown with their Spanish labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from fieldapp.domain.case_flow import EVENT_LABELS, FLOW_LABELS, STATUS_LABELS, Flow, Status
from fieldapp.domain.deadlines import LIMA_TZ, Urgency
from fieldapp.domain.geo import Zone
from fieldapp.domain.jobs import (
    FAILURE_LABELS,
    JOB_KIND_LABELS,
    JOB_STATUS_LABELS,
    FailureReason,
    JobKind,
    JobStatus,
)
from fieldapp.domain.roles import ROLE_LABELS, Role
from fieldapp.domain.shipments import (
    DIRECTION_LABELS,
    MODE_LABELS,
    SHIPMENT_STATUS_LABELS,
    Direction,
    JobMode,
    ShipmentStatus,
)
from fieldapp.domain.warranty import CaseKind

# Labels by enum type: StrEnum members equal their values, so one flat dict would mix them up.
_ENUM_LABELS: dict[type, dict] = {
    Status: STATUS_LABELS,
    Flow: FLOW_LABELS,
    JobKind: JOB_KIND_LABELS,
    JobStatus: JOB_STATUS_LABELS,
    FailureReason: FAILURE_LABELS,
    Role: ROLE_LABELS,
    JobMode: MODE_LABELS,
    Direction: DIRECTION_LABELS,
    ShipmentStatus: SHIPMENT_STATUS_LABELS,
    Urgency: {
        Urgency.ON_TRACK: "A tiempo",
        Urgency.AT_RISK: "En riesgo",
        Urgency.OVERDUE: "Vencido",
        Urgency.DONE: "Cumplido",
    },
    Zone: {Zone.LIMA: "Lima", Zone.PROVINCES: "Provincias"},
    CaseKind: {CaseKind.DOA: "DOA (cambio)", CaseKind.WARRANTY: "Garantía (reparación)"},
}
VEHICLE_LABELS = {"motorcycle": "Moto", "car": "Auto", "van": "Furgoneta"}
DEADLINE_LABELS = {
    "swap": "Cambio",
    "pickup": "Recojo",
    "repair": "Reparación",
    "return": "Devolución",
}
ACTION_LABELS = {
    "created": "Caso registrado",
    "job_in_progress": "Llegada del courier",
    "job_number_checked": "Número de servicio verificado",
    "job_photo": "Foto registrada",
    "job_signed": "Firma registrada",
    "job_refill_checked": "Cartuchos revisados",
    "job_done": "Visita cerrada por el courier",
    "job_failed": "Visita fallida",
    "job_approved": "Visita aprobada",
    "job_rejected": "Visita rechazada por supervisión",
    "job_cancelled": "Visita anulada",
    "job_planned": "Visita planificada",
    "visit_window": "Franja de visita acordada",
    "stop_locked": "Parada fijada",
    "stop_unlocked": "Parada liberada",
    "job_carrier_booked": "Enviado por agencia",
    **{
        f"shipment_{s.value}": f"Envío: {text.lower()}"
        for s, text in SHIPMENT_STATUS_LABELS.items()
    },
    **{event.value: text.capitalize() for event, text in EVENT_LABELS.items()},
}


def lima_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An aware datetime as Lima local time ('' for None)."""
    return value.astimezone(LIMA_TZ).strftime(fmt) if value else ""


def short_date(value: date | None) -> str:
    """A date as dd/mm/yyyy ('' for None)."""
    return value.strftime("%d/%m/%Y") if value else ""


def label(value) -> str:
    """The Spanish label of an enum member, or the value itself."""
    if value is None:
        return ""
    return _ENUM_LABELS.get(type(value), {}).get(value, str(value))


def countdown(due_at: datetime | None, now: datetime) -> str:
    """How long until `due_at` (or since), in days, hours and minutes, in Spanish."""
    if due_at is None:
        return ""
    seconds = int((due_at - now).total_seconds())
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        span = f"{days} d {hours} h"
    elif hours:
        span = f"{hours} h {mins} min"
    else:
        span = f"{mins} min"
    return f"vence en {span}" if seconds >= 0 else f"venció hace {span}"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(lima_datetime, "lima")
    app.add_template_filter(short_date, "dmy")
    app.add_template_filter(label, "label")
    app.add_template_filter(countdown, "countdown")
    app.add_template_filter(lambda name: DEADLINE_LABELS.get(name, name), "deadline_label")
    app.add_template_filter(lambda name: VEHICLE_LABELS.get(name, name), "vehicle_label")
    app.add_template_filter(
        lambda name: SHIPMENT_STATUS_LABELS.get(name, name), "shipment_status_label"
    )
    app.add_template_filter(lambda action: ACTION_LABELS.get(action, action), "action_label")
    app.add_template_filter(lambda status: STATUS_LABELS.get(status, status or ""), "status_label")
