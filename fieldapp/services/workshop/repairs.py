"""The workshop: reception at the counter, the repair queue, notes, parts, repair done, exchange
units for what cannot be repaired, and collection at the counter.

Every status change goes through `apply_event`, which also requests the reception receipt and
the return note (`services.documents`) and, for provinces cases, makes the return job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from fieldapp.domain import case_flow
from fieldapp.domain.case_flow import Event, Flow, Status
from fieldapp.domain.deadlines import DeadlineName, Urgency, urgency
from fieldapp.domain.service_number import normalise
from fieldapp.domain.stock import PartStatus, StockStatus
from fieldapp.extensions import db
from fieldapp.infra import media, uploads
from fieldapp.models import Case, Repair, RepairNote, SparePart, StockUnit, Unit, User
from fieldapp.models.types import utcnow
from fieldapp.services import audit
from fieldapp.services.cases import visits
from fieldapp.services.cases.progress import apply_event
from fieldapp.services.workshop import inventory, spare_parts
from fieldapp.services.workshop.inventory import StockError

# Flows whose customer collects the unit at the ST counter (Lima).
COUNTER_COLLECTION = frozenset({Flow.WARRANTY_LIMA, Flow.WALK_IN})
REPAIR_FLOWS = frozenset(
    {Flow.WARRANTY_LIMA, Flow.WALK_IN, Flow.WARRANTY_PROVINCES, Flow.WARRANTY_STORE}
)


class WorkshopError(ValueError):
    """The workshop cannot do what was asked (message in Spanish, with the field if any)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_for_reception(query: str) -> Case:
    """The open repair case with this case number or service number.

    :raises WorkshopError: when there is none, or it is not a repair case.
    """
    text = (query or "").strip()
    if not text:
        raise WorkshopError("Ingrese el número de caso o el número de servicio.", "query")
    case = db.session.scalar(
        select(Case)
        .join(Unit)
        .where(
            or_(Case.case_number == text, Unit.service_number == normalise(text)),
            Case.status.in_(case_flow.OPEN),
        )
    )
    if case is None:
        raise WorkshopError(f"No hay un caso abierto con «{text}».", "query")
    if case.flow not in REPAIR_FLOWS:
        raise WorkshopError(
            f"El caso {case.case_number} es un DOA: se cambia, no se recibe en taller.", "query"
        )
    return case


def find_repair(case: Case) -> Repair | None:
    """The case's repair record, if the workshop has one."""
    return db.session.scalar(select(Repair).where(Repair.case_id == case.id))


def repair_of(case: Case) -> Repair:
    """The case's repair record (made on first use)."""
    found = find_repair(case)
    if found is None:
        found = Repair(case=case)
        db.session.add(found)
        db.session.flush()
    return found


def receive(
    case: Case,
    actor: User,
    *,
    refilled: bool,
    accessories: str | None = None,
    condition: str | None = None,
    at: datetime | None = None,
) -> Event:
    """Receive a unit at the counter or from the provinces. Refilled cartridges void the
    warranty instead (customer and Case Admin notified).

    :raises WorkshopError: when the case cannot be received now.
    """
    at = at or utcnow()
    event = Event.VOID if refilled else Event.RECEIVE_UNIT
    if event not in case_flow.allowed_events(case.flow, case.status):
        raise WorkshopError(
            f"No se puede recibir: el caso está «{case_flow.STATUS_LABELS[case.status]}»."
        )
    repair = repair_of(case)
    repair.received_by_id, repair.received_at = actor.id, at
    repair.accessories = (accessories or "").strip() or None
    repair.condition = (condition or "").strip() or None
    note = "Cartuchos rellenados: garantía anulada" if refilled else None
    apply_event(case, event, actor, note=note, at=at)
    db.session.flush()
    return event


@dataclass(frozen=True)
class QueueRow:
    """A unit in the workshop with its repair clock."""

    case: Case
    due_at: datetime | None
    urgency: Urgency | None


def repair_queue(now: datetime | None = None) -> list[QueueRow]:
    """Units in the workshop, the nearest repair deadline first."""
    now = now or utcnow()
    cases = db.session.scalars(select(Case).where(Case.status == Status.IN_WORKSHOP)).all()
    rows = []
    for case in cases:
        deadline = next((d for d in case.deadlines if d.name == DeadlineName.REPAIR), None)
        if deadline is None:
            rows.append(QueueRow(case, None, None))
        else:
            state = urgency(deadline.starts_at, deadline.due_at, now, deadline.done_at)
            rows.append(QueueRow(case, deadline.due_at, state))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (row.due_at or far, row.case.id))


def set_diagnosis(case: Case, actor: User, diagnosis: str) -> None:
    """Record the diagnosis.

    :raises WorkshopError: when empty.
    """
    text = (diagnosis or "").strip()
    if not text:
        raise WorkshopError("Escriba el diagnóstico.", "diagnosis")
    repair = repair_of(case)
    repair.diagnosis, repair.technician_id = text, actor.id
    audit.record(
        "diagnosis", entity="repair", entity_id=repair.id, case_id=case.id, actor=actor, note=text
    )
    db.session.flush()


def add_note(case: Case, actor: User, text: str) -> RepairNote:
    """Add a repair note.

    :raises WorkshopError: when empty.
    """
    text = (text or "").strip()
    if not text:
        raise WorkshopError("Escriba la nota.", "text")
    note = RepairNote(repair=repair_of(case), author_id=actor.id, text=text)
    db.session.add(note)
    db.session.flush()
    return note


def available_parts() -> list[SparePart]:
    """Donor parts not yet used, oldest donor first."""
    return list(
        db.session.scalars(
            select(SparePart)
            .where(SparePart.status == PartStatus.AVAILABLE)
            .order_by(SparePart.donor_unit_id, SparePart.id)
        )
    )


def parts_used(case: Case) -> list[SparePart]:
    """Donor parts used in this case's repair."""
    return list(db.session.scalars(select(SparePart).where(SparePart.used_in_case_id == case.id)))


def use_part(case: Case, part: SparePart, actor: User) -> None:
    """Use a part from a DOA donor unit in this repair.

    :raises WorkshopError: when the unit is not in the workshop or the part is taken.
    """
    if case.status is not Status.IN_WORKSHOP:
        raise WorkshopError("Solo se usan repuestos en equipos que están en taller.", "part")
    try:
        spare_parts.take_part(part, case, actor)
    except StockError as error:
        raise WorkshopError(str(error), "part") from error


def repair_done(case: Case, actor: User, note: str | None = None) -> None:
    """Mark the repair done: Lima customers are told to collect it; provinces get a return job.

    :raises WorkshopError: when the unit is not in the workshop.
    """
    if Event.REPAIR not in case_flow.allowed_events(case.flow, case.status):
        raise WorkshopError("El equipo no está en taller.")
    apply_event(case, Event.REPAIR, actor, note=note)
    _reserve_exchange_for_return(case, actor)


def swap_for_exchange(case: Case, actor: User, reason: str) -> StockUnit:
    """The unit cannot be repaired: reserve an exchange unit from stock and mark the repair done
    with it (delivered at collection or on the return visit).

    :raises WorkshopError: without a reason, when not in the workshop, or with no exchange unit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise WorkshopError("Indique por qué no se puede reparar.", "reason")
    if Event.REPAIR not in case_flow.allowed_events(case.flow, case.status):
        raise WorkshopError("El equipo no está en taller.")
    try:
        unit = inventory.reserve_exchange(case, actor)
    except StockError as error:
        raise WorkshopError(str(error), "reason") from error
    repair = repair_of(case)
    repair.exchange_unit = unit
    add_note(case, actor, f"Sin reparación ({reason}): cambio por el equipo {unit.service_number}.")
    apply_event(
        case, Event.REPAIR, actor, note=f"Cambio por equipo de intercambio {unit.service_number}"
    )
    _reserve_exchange_for_return(case, actor)
    return unit


def _reserve_exchange_for_return(case: Case, actor: User) -> None:
    """The provinces return job carries the exchange unit, if there is one."""
    repair = repair_of(case)
    job = visits.open_job(case)
    unit = repair.exchange_unit
    if unit is not None and job is not None and unit.status is StockStatus.RESERVED:
        unit.reserved_for_job_id = job.id
        db.session.flush()


def collect_at_counter(
    case: Case,
    actor: User,
    signer_name: str,
    signer_document_id: str,
    signature: str | None,
) -> None:
    """The customer collects the unit at the counter and signs for it on the screen (the
    drawing, a `data:` URL from the signature pad, goes on the return note); the note is issued
    and the case closes (an exchange unit leaves the stock).

    :raises WorkshopError: for a missing signer or signature, or a case not ready here.
    """
    name, document_id = (signer_name or "").strip(), (signer_document_id or "").strip()
    if not name:
        raise WorkshopError("Ingrese el nombre de quien recoge.", "signer_name")
    if not document_id:
        raise WorkshopError("Ingrese el DNI de quien recoge.", "signer_document_id")
    if case.flow not in COUNTER_COLLECTION:
        raise WorkshopError("Este equipo se devuelve con una visita del courier, no en mostrador.")
    if Event.RETURN_UNIT not in case_flow.allowed_events(case.flow, case.status):
        raise WorkshopError("El equipo aún no está listo para entregar.")
    if not (signature or "").strip():
        raise WorkshopError(
            "Falta la firma: pida a quien recoge que firme en el recuadro.", "signature"
        )
    try:
        drawing = uploads.clean_signature(uploads.from_data_url(signature))
    except uploads.UploadError as error:
        raise WorkshopError(
            f"No se pudo leer la firma: {error} Firme de nuevo.", "signature"
        ) from error
    repair = repair_of(case)
    repair.collected_by_name, repair.collected_by_document_id = name, document_id
    repair.collected_at = utcnow()
    media.attach(
        drawing,
        case_id=case.id,
        job_id=None,
        kind="signature",
        purpose="signature",
        user_id=actor.id,
    )
    if repair.exchange_unit is not None:
        inventory.deliver(repair.exchange_unit, case, actor)
    apply_event(
        case,
        Event.RETURN_UNIT,
        actor,
        # Who collected stays on the repair record (anonymised with the customer), not here.
        note=f"Recogido en mostrador con firma (reparación {repair.id})",
        at=repair.collected_at,
    )
    apply_event(case, Event.CLOSE, actor, note="Entregado en mostrador")
