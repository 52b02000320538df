"""The actions a courier takes at a stop (arrive, check the number, photo, refill, signature,
complete, fail), one function each, and the table `sync` dispatches on.

Each takes (user, job, device_at, payload) and returns (message, extra answer fields), or raises
`Refused` when the action is wrong; `sync` runs it in a savepoint and turns that into the answer.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from fieldapp.domain import jobs
from fieldapp.domain.attachments import COURIER_PHOTOS, PHOTO_LABELS, AttachmentPurpose
from fieldapp.domain.jobs import FAILURE_LABELS, FailureReason
from fieldapp.domain.service_number import InvalidServiceNumber, parse
from fieldapp.domain.stock import StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.infra import media, uploads
from fieldapp.models import Attachment, Job, StockUnit
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import places, visits

# Enough for every purpose twice over; each photo is decoded and stored, so there is a limit.
MAX_PHOTOS_PER_JOB = 10
_DOCUMENT_ID = re.compile(r"^(\d{8}|[A-Za-z0-9]{9,12})$")


class Refused(Exception):
    """The action is refused for good; `status`, `message` and `extra` make up the answer."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def _text(payload: dict, name: str, limit: int) -> str:
    """A trimmed text field of the payload.

    :raises Refused: (422) when it is longer than `limit`.
    """
    value = payload.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise Refused(422, f"El campo {name} admite hasta {limit} caracteres.")
    return value


def _arrive(user, job, device_at, payload):
    """Arrival with the phone's time and, when permitted, its GPS position."""
    lat, lon, accuracy = payload.get("lat"), payload.get("lon"), payload.get("accuracy_m")
    numbers = [v for v in (lat, lon, accuracy) if v is not None]
    if any(not isinstance(v, int | float) or isinstance(v, bool) for v in numbers):
        raise Refused(422, "La posición GPS no es válida.")
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Refused(422, "La posición GPS está fuera de rango.")
    visits.arrive(
        job, user, at=utcnow(), device_at=device_at, lat=lat, lon=lon, accuracy_m=accuracy
    )
    if lat is not None and lon is not None:
        places.learn_from_arrival(job, user, lat, lon, accuracy)
    where = "con GPS" if lat is not None else "sin GPS"
    return f"Llegada registrada ({where}).", {}


def _number(raw, what: str, job) -> str:
    """A normalised service number, by the format of the job's programme.

    :raises Refused: (422) when it has the wrong shape.
    """
    try:
        return parse(raw, job.case.programme.number_rules).value
    except InvalidServiceNumber as exc:
        raise Refused(422, f"{what}: {exc}") from None


def _check_number(user, job, device_at, payload):
    """The unit's service number must be the case's; a swap also names the new unit."""
    checked = _number(payload.get("service_number"), "Equipo del cliente", job)
    expected = job.case.unit.service_number
    if checked != expected:
        raise Refused(
            422,
            f"El número {checked} no coincide con el del caso ({expected}). Revise la etiqueta "
            "del equipo: puede ser otro equipo.",
        )
    replacement = None
    if job.kind in jobs.HANDS_OVER_NEW_UNIT:
        replacement = _number(payload.get("replacement"), "Equipo nuevo", job)
        _check_replacement(job, replacement)
    job.checked_service_number = checked
    job.replacement_service_number = replacement
    _note(
        user,
        job,
        "job_number_checked",
        f"N.º de servicio verificado: {checked}"
        + (f"; equipo nuevo {replacement}" if replacement else ""),
    )
    return "Número de servicio verificado.", {}


def _check_replacement(job: Job, number: str) -> None:
    """The new unit must be Kodak stock for swaps: the one reserved for this job if any."""
    reserved = db.session.scalar(
        select(StockUnit.service_number).where(StockUnit.reserved_for_job_id == job.id)
    )
    if reserved is not None and number != reserved:
        raise Refused(422, f"El equipo nuevo debe ser el reservado para esta parada ({reserved}).")
    unit = db.session.scalar(select(StockUnit).where(StockUnit.service_number == number))
    in_stock = (
        unit is not None
        and unit.category is StockCategory.NEW
        and (unit.status is StockStatus.ON_HAND or unit.reserved_for_job_id == job.id)
    )
    if not in_stock:
        raise Refused(422, f"El equipo nuevo {number} no figura en el stock disponible.")


def _decode(payload: dict) -> bytes:
    """The file in the payload (base64, optionally a data: URL).

    :raises Refused: (422) when it is missing, too big or badly encoded.
    """
    data = payload.get("data")
    if not isinstance(data, str) or not data:
        raise Refused(422, "Falta el archivo.")
    try:
        return uploads.from_data_url(data)
    except uploads.UploadError as exc:
        raise Refused(422, str(exc)) from None


def _attach(user, job, kind: str, purpose: str, clean: uploads.CleanImage) -> Attachment:
    """Store the cleaned file under its hash and record it on the job."""
    return media.attach(
        clean, case_id=job.case_id, job_id=job.id, kind=kind, purpose=purpose, user_id=user.id
    )


def _photo(user, job, device_at, payload):
    """One photo of the stop, cleaned and stored."""
    purpose = payload.get("purpose")
    if purpose not in COURIER_PHOTOS:
        raise Refused(422, "Indique qué muestra la foto.")
    taken = db.session.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.job_id == job.id, Attachment.kind == "photo")
    )
    if taken >= MAX_PHOTOS_PER_JOB:
        raise Refused(422, f"Esta parada ya tiene {MAX_PHOTOS_PER_JOB} fotos: no se aceptan más.")
    attachment = _attach(user, job, "photo", purpose, uploads.clean_photo(_decode(payload)))
    name = PHOTO_LABELS[purpose].name
    _note(user, job, "job_photo", f"Foto: {name}")
    return f"Foto guardada ({name}).", {"attachment_id": attachment.id}


def _refill(user, job, device_at, payload):
    """Refilled cartridges (yes voids the warranty on closing) and accessories received."""
    refilled = payload.get("refilled")
    if not isinstance(refilled, bool):
        raise Refused(422, "Indique si los cartuchos están rellenados.")
    job.refilled_cartridges = refilled
    job.accessories = _text(payload, "accessories", 250) or None
    note = "Cartuchos rellenados: se anulará la garantía" if refilled else "Cartuchos originales"
    _note(user, job, "job_refill_checked", note)
    return (
        "Cartuchos rellenados: al cerrar se anula la garantía."
        if refilled
        else "Revisión de cartuchos guardada."
    ), {}


def _signature(user, job, device_at, payload):
    """The signature drawing with the signer's name and DNI."""
    name = _text(payload, "signer_name", 160)
    document_id = _text(payload, "document_id", 20).upper()
    if not name:
        raise Refused(422, "Ingrese el nombre de quien firma.")
    if not _DOCUMENT_ID.match(document_id):
        raise Refused(422, "El DNI debe tener 8 dígitos (o 9 a 12 caracteres si es CE).")
    attachment = _attach(
        user, job, "signature", "signature", uploads.clean_signature(_decode(payload))
    )
    job.signer_name, job.signer_document_id = name, document_id
    # The signer's name and DNI stay on the job (anonymised with the customer), never in the
    # append-only audit trail, which the API's timeline shows.
    _note(user, job, "job_signed", f"Firma registrada (adjunto {attachment.id})")
    return "Firma guardada.", {"attachment_id": attachment.id}


def _complete(user, job, device_at, payload):
    """Close the stop as done (jobs.complete checks the evidence)."""
    outcome = visits.complete(job, user, at=utcnow(), device_at=device_at)
    if outcome.case_event is not None and outcome.case_event.value == "void":
        return "Parada cerrada: garantía anulada por cartuchos rellenados.", {}
    return "Parada cerrada. Queda para revisión del supervisor.", {}


def _fail(user, job, device_at, payload):
    """Close the stop as a failed attempt; the case goes back to dispatch."""
    try:
        reason = FailureReason(payload.get("reason"))
    except ValueError:
        reason = None
    note = _text(payload, "note", 500) or None
    if reason is FailureReason.OTHER and not note:
        raise Refused(422, "Describa el motivo en la nota.")
    has_photo = db.session.scalar(
        select(Attachment.id).where(
            Attachment.job_id == job.id,
            Attachment.purpose == AttachmentPurpose.FAILED_ATTEMPT,
        )
    )
    visits.fail(
        job,
        user,
        reason,
        note=note,
        has_photo=has_photo is not None,
        at=utcnow(),
        device_at=device_at,
    )
    return f"Visita fallida ({FAILURE_LABELS[reason]}). El caso vuelve a despacho.", {}


def _note(user, job, action: str, note: str) -> None:
    """An audit event on the case's timeline for a piece of evidence."""
    audit.record(action, entity="job", entity_id=job.id, case_id=job.case_id, actor=user, note=note)


# Action kind (the `type` the phone sends) → its function; `sync.TYPES` lists these keys.
HANDLERS = {
    "arrive": _arrive,
    "check_number": _check_number,
    "photo": _photo,
    "refill": _refill,
    "signature": _signature,
    "complete": _complete,
    "fail": _fail,
}
