"""Jinja filters: times shown in America/Lima, values shown with their Spanish labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from fieldapp.domain.attachments import photo_phrase
from fieldapp.domain.case_flow import EVENT_LABELS, FLOW_LABELS, STATUS_LABELS, Flow, Status
from fieldapp.domain.deadlines import DEADLINE_LABELS, LIMA_TZ, Urgency
from fieldapp.domain.geo import Gazetteer, Zone
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
from fieldapp.domain.stock import MOVEMENT_LABELS
from fieldapp.domain.stock import STATUS_LABELS as STOCK_STATUS_LABELS
from fieldapp.domain.warranty import CaseKind
from fieldapp.domain.wording import count, load
from fieldapp.models.route import VEHICLE_LABELS

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
        Urgency.MISSED: "Incumplido",
    },
    Zone: {Zone.LIMA: "Lima", Zone.PROVINCES: "Provincias"},
    CaseKind: {CaseKind.DOA: "DOA (cambio)", CaseKind.WARRANTY: "Garantía (reparación)"},
}
ACTION_LABELS = {
    "created": "Caso registrado",
    "job_in_progress": "Llegada del courier",
    "job_number_checked": "Número de servicio verificado",
    "address_point_learned": "Punto de la dirección aprendido",
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
    "job_pending": "Visita por planificar",
    "diagnosis": "Diagnóstico registrado",
    "repair": "Reparación registrada",
    "route_published": "Ruta publicada",
    "route_unpublished": "Ruta retirada",
    "routes_optimised": "Rutas optimizadas",
    "courier_available": "Courier disponible",
    "courier_unavailable": "Courier no disponible",
    "bulk_approve": "Aprobación en bloque",
    "customer_exported": "Datos del cliente exportados",
    "customers_anonymised": "Clientes anonimizados",
    **{f"stock_{kind.value}": f"Stock: {text.lower()}" for kind, text in MOVEMENT_LABELS.items()},
    "job_carrier_booked": "Enviado por agencia",
    **{
        f"shipment_{s.value}": f"Envío: {text.lower()}"
        for s, text in SHIPMENT_STATUS_LABELS.items()
    },
    **{event.value: text.capitalize() for event, text in EVENT_LABELS.items()},
}


# Status codes by the kind of thing an audit event is about (case history, "from → to").
_STATUS_LABELS_BY_ENTITY: dict[str, dict] = {
    "case": STATUS_LABELS,
    "job": JOB_STATUS_LABELS,
    "stock_unit": STOCK_STATUS_LABELS,
}


def status_label(status: str | None, entity: str = "case") -> str:
    """The Spanish label of a status code recorded for an `entity` ('' for none)."""
    if not status:
        return ""
    labels = _STATUS_LABELS_BY_ENTITY.get(entity, STATUS_LABELS)
    return next((text for key, text in labels.items() if key == status), status)


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


def place(job) -> str:
    """A job's street address with its district and city."""
    district = Gazetteer.default().get(job.ubigeo)
    return district.place(job.address) if district is not None else (job.address or job.ubigeo)


def deadline_status(item, now: datetime | None = None):
    """How a job's deadline or a case deadline stands (services/deadline_status.py)."""
    from fieldapp.services.cases import deadline_status as statuses  # services load after the app

    return statuses.status(item, now)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(deadline_status, "deadline_status")
    app.add_template_filter(place, "place")
    app.add_template_filter(lima_datetime, "lima")
    app.add_template_filter(short_date, "dmy")
    app.add_template_filter(label, "label")
    app.add_template_filter(countdown, "countdown")
    app.add_template_filter(lambda name: DEADLINE_LABELS.get(name, name), "deadline_label")
    app.add_template_filter(photo_phrase, "photo_label")
    app.add_template_filter(lambda name: VEHICLE_LABELS.get(name, name), "vehicle_label")
    app.add_template_filter(
        lambda name: SHIPMENT_STATUS_LABELS.get(name, name), "shipment_status_label"
    )
    app.add_template_filter(lambda action: ACTION_LABELS.get(action, action), "action_label")
    app.add_template_filter(status_label, "status_label")
    app.add_template_filter(lambda n, one, many: count(n, one, many), "count")
    app.add_template_filter(lambda job: load(job.units_out, job.units_in), "load")
