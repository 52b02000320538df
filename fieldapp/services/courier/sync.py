"""Apply the actions a courier's phone queued while working a stop, each exactly once.

Every action carries an id the phone made. The id is inserted first (in a SAVEPOINT) into
`sync_action`, whose unique constraint — not a check-then-insert — decides which request
applies it; a replay gets the first answer back. Answers: 2xx applied, 404 not the courier's
stop, 409 the stop changed meanwhile (e.g. a supervisor or dispatch acted), 422 the action is
wrong (message says why). An exception (5xx) rolls everything back, so the phone retries.
What each kind of action does is in `stop_actions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from fieldapp.domain import jobs
from fieldapp.domain.jobs import JobStatus
from fieldapp.extensions import db
from fieldapp.infra import uploads
from fieldapp.models import Job, SyncAction, User
from fieldapp.models.types import FIRST_DATE, LAST_DATE, MAX_ID, utcnow
from fieldapp.services import access
from fieldapp.services.cases import visits
from fieldapp.services.courier.stop_actions import HANDLERS, Refused

TYPES = tuple(HANDLERS)
# A job the supervisor sent back to its courier can be fixed and closed again.
WORKING = (JobStatus.PLANNED, JobStatus.IN_PROGRESS, JobStatus.REJECTED)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@dataclass(frozen=True)
class Answer:
    """The HTTP status and JSON body for one action."""

    status: int
    body: dict


def _envelope(raw) -> tuple[str, str, int, datetime | None, dict]:
    """Check the action's envelope.

    :raises Refused: (400) listing the bad fields.
    """
    if not isinstance(raw, dict):
        raise Refused(400, "La acción debe ser un objeto JSON.")
    errors = {}
    client_id, kind, job_id = raw.get("id"), raw.get("type"), raw.get("job_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        errors["id"] = ["Debe ser un identificador de 8 a 64 caracteres (letras, dígitos, -)."]
    if kind not in TYPES:
        errors["type"] = ["Debe ser uno de: " + ", ".join(TYPES) + "."]
    if not isinstance(job_id, int) or isinstance(job_id, bool) or not 0 < job_id <= MAX_ID:
        errors["job_id"] = [f"Debe ser un número entero entre 1 y {MAX_ID}."]
    device_at = None
    if raw.get("device_at") is not None:
        try:
            device_at = datetime.fromisoformat(str(raw["device_at"]).replace("Z", "+00:00"))
            device_at = device_at if device_at.tzinfo else device_at.replace(tzinfo=UTC)
            if not FIRST_DATE <= device_at.date() <= LAST_DATE:
                raise ValueError("out of range")
            device_at = device_at.astimezone(UTC)
        except (ValueError, OverflowError):
            errors["device_at"] = [
                f"Debe ser una fecha y hora ISO 8601 entre {FIRST_DATE.year} y {LAST_DATE.year}."
            ]
    payload = raw.get("payload") or {}
    if not isinstance(payload, dict):
        errors["payload"] = ["Debe ser un objeto JSON."]
    if errors:
        raise Refused(400, "La acción no es válida.", errors=errors)
    return client_id, kind, job_id, device_at, payload


def apply(user: User, raw) -> Answer:
    """Apply one queued action once; a replay of its id returns the first answer."""
    try:
        client_id, kind, job_id, device_at, payload = _envelope(raw)
    except Refused as refused:
        return Answer(
            refused.status, {"error": "invalid", "message": refused.message, **refused.extra}
        )
    job = access.stop_for(user, job_id)
    record = SyncAction(
        client_id=client_id,
        user_id=user.id,
        job_id=job.id if job else None,
        type=kind,
        device_at=device_at,
        received_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        first = db.session.scalar(select(SyncAction).where(SyncAction.client_id == client_id))
        if first is None:
            raise
        if first.user_id != user.id:
            return Answer(409, {"error": "conflict", "message": "El id de la acción ya se usó."})
        return Answer(first.status_code, {**first.response, "replayed": True})
    answer = _run(user, job, kind, device_at, payload)
    record.status_code, record.response = answer.status, answer.body
    db.session.flush()
    return answer


def _run(user: User, job: Job | None, kind: str, device_at, payload: dict) -> Answer:
    """Apply the action in its own savepoint so a refusal leaves nothing half-written."""
    try:
        if job is None:
            raise Refused(404, "La parada no existe o no está en una ruta publicada para usted.")
        if job.status not in WORKING:
            label = jobs.JOB_STATUS_LABELS[job.status]
            raise Refused(409, f"La parada ya no está en curso (estado: {label}).")
        with db.session.begin_nested():
            message, extra = HANDLERS[kind](user, job, device_at, payload)
            db.session.flush()
    except Refused as refused:
        body = {"error": "conflict" if refused.status == 409 else "rejected"}
        return Answer(refused.status, {**body, "message": refused.message, **refused.extra})
    except visits.JobError as exc:
        return Answer(422, {"error": "rejected", "message": str(exc)})
    except uploads.UploadError as exc:
        return Answer(422, {"error": "rejected", "message": str(exc)})
    except StaleDataError:
        db.session.expire_all()
        return Answer(409, {"error": "conflict", "message": "La parada cambió mientras tanto."})
    status = jobs.JOB_STATUS_LABELS[job.status]
    body = {"ok": True, "message": message, "job": {"id": job.id, "status": job.status.value}}
    return Answer(200, {**body, "job_status_label": status, **extra})
