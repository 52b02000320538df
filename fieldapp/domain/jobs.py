"""Jobs: the visits the ST makes to move units, and how a job moves from plan to approval."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fieldapp.domain.attachments import AttachmentPurpose, photo_phrase
from fieldapp.domain.deadlines import DeadlineName


class JobKind(StrEnum):
    """What the courier does at a stop."""

    DOA_SWAP = "doa_swap"  # deliver a new unit, collect the failed one
    PICKUP = "pickup"  # collect a unit for repair (provinces warranty)
    RETURN = "return"  # take a repaired unit back to the customer
    STORE_SWAP = "store_swap"  # replenish a store that swapped a DOA, collect the DOA unit
    STORE_PICKUP = "store_pickup"  # collect a warranty unit left at a store


class JobStatus(StrEnum):
    """Where a job stands, from waiting for a route to approved by a supervisor."""

    PENDING = "pending"  # waiting to be planned
    PLANNED = "planned"  # on a route
    IN_PROGRESS = "in_progress"  # courier arrived
    DONE = "done"  # closed by the courier, waiting for review
    FAILED = "failed"  # failed attempt, back to dispatch
    APPROVED = "approved"
    REJECTED = "rejected"  # sent back by the supervisor
    CANCELLED = "cancelled"


class FailureReason(StrEnum):
    """Why a visit failed."""

    NOT_HOME = "not_home"
    WRONG_ADDRESS = "wrong_address"
    REFUSED = "refused"
    UNIT_NOT_READY = "unit_not_ready"
    OTHER = "other"


JOB_KIND_LABELS: dict[JobKind, str] = {
    JobKind.DOA_SWAP: "Cambio DOA",
    JobKind.PICKUP: "Recojo",
    JobKind.RETURN: "Devolución",
    JobKind.STORE_SWAP: "Reposición en tienda",
    JobKind.STORE_PICKUP: "Recojo en tienda",
}

JOB_STATUS_LABELS: dict[JobStatus, str] = {
    JobStatus.PENDING: "Por planificar",
    JobStatus.PLANNED: "En ruta",
    JobStatus.IN_PROGRESS: "En curso",
    JobStatus.DONE: "Por aprobar",
    JobStatus.FAILED: "Visita fallida",
    JobStatus.APPROVED: "Aprobado",
    JobStatus.REJECTED: "Rechazado",
    JobStatus.CANCELLED: "Anulado",
}

FAILURE_LABELS: dict[FailureReason, str] = {
    FailureReason.NOT_HOME: "No se encontraba",
    FailureReason.WRONG_ADDRESS: "Dirección errada",
    FailureReason.REFUSED: "Rechazó la visita",
    FailureReason.UNIT_NOT_READY: "Equipo no disponible",
    FailureReason.OTHER: "Otro",
}

# Which deadline a job of this kind races against.
DEADLINE_FOR: dict[JobKind, DeadlineName] = {
    JobKind.DOA_SWAP: DeadlineName.SWAP,
    JobKind.STORE_SWAP: DeadlineName.SWAP,
    JobKind.PICKUP: DeadlineName.PICKUP,
    JobKind.STORE_PICKUP: DeadlineName.PICKUP,
    JobKind.RETURN: DeadlineName.RETURN,
}

# Units the courier carries out to the stop and brings back from it.
LOAD: dict[JobKind, tuple[int, int]] = {
    JobKind.DOA_SWAP: (1, 1),
    JobKind.PICKUP: (0, 1),
    JobKind.RETURN: (1, 0),
    JobKind.STORE_SWAP: (1, 1),
    JobKind.STORE_PICKUP: (0, 1),
}


@dataclass(frozen=True)
class Evidence:
    """What the courier recorded at a stop, as plain facts."""

    arrived: bool = False
    checked_service_number: str | None = None
    replacement_service_number: str | None = None
    photos: frozenset[str] = frozenset()  # purposes: proof_of_purchase, unit_condition, …
    signature: bool = False
    signer_name: str | None = None
    signer_document_id: str | None = None
    refilled_answered: bool = False
    # Set for a job sent by carrier: its shipments (ShipmentFacts), which replace the stop's
    # arrival, signature and signer.
    carrier: tuple | None = None


# Photos each kind of stop needs before it can be closed.
REQUIRED_PHOTOS: dict[JobKind, tuple[AttachmentPurpose, ...]] = {
    JobKind.DOA_SWAP: (AttachmentPurpose.PROOF_OF_PURCHASE,),
    JobKind.PICKUP: (AttachmentPurpose.UNIT_CONDITION,),
    JobKind.RETURN: (),
    JobKind.STORE_SWAP: (AttachmentPurpose.STORE_VOUCHER,),
    JobKind.STORE_PICKUP: (AttachmentPurpose.STORE_VOUCHER, AttachmentPurpose.UNIT_CONDITION),
}
# Stops where the failed unit (or the unit for repair) is collected: the refill check applies.
COLLECTS_UNIT = frozenset(
    {JobKind.DOA_SWAP, JobKind.PICKUP, JobKind.STORE_SWAP, JobKind.STORE_PICKUP}
)
HANDS_OVER_NEW_UNIT = frozenset({JobKind.DOA_SWAP, JobKind.STORE_SWAP})
# Stops at a retail store: the courier deals with the store, not the customer.
AT_STORE = frozenset({JobKind.STORE_SWAP, JobKind.STORE_PICKUP})
# Failed visits whose reason a photo can prove (the door, the wrong address).
FAILURE_NEEDS_PHOTO = frozenset({FailureReason.NOT_HOME, FailureReason.WRONG_ADDRESS})


def missing_evidence(kind: JobKind, evidence: Evidence) -> list[str]:
    """What is still missing before a stop of `kind` can be closed as done (Spanish)."""
    if evidence.carrier is not None:
        from fieldapp.domain.shipments import missing_for_closing

        return missing_for_closing(
            kind,
            evidence.carrier,
            checked_service_number=evidence.checked_service_number,
            replacement_service_number=evidence.replacement_service_number,
            refilled_answered=evidence.refilled_answered,
            photos=evidence.photos,
        )
    missing = []
    if not evidence.arrived:
        missing.append("registrar la llegada")
    if not evidence.checked_service_number:
        missing.append("verificar el número de servicio del equipo")
    if kind in HANDS_OVER_NEW_UNIT and not evidence.replacement_service_number:
        missing.append("registrar el número de servicio del equipo nuevo entregado")
    for purpose in REQUIRED_PHOTOS[kind]:
        if purpose not in evidence.photos:
            missing.append(f"tomar la {photo_phrase(purpose)}")
    if kind in COLLECTS_UNIT and not evidence.refilled_answered:
        missing.append("indicar si los cartuchos están rellenados")
    if not evidence.signature:
        missing.append("obtener la firma")
    if not (evidence.signer_name or "").strip():
        missing.append("registrar el nombre de quien firma")
    if not (evidence.signer_document_id or "").strip():
        missing.append("registrar el DNI de quien firma")
    return missing


def missing_for_failure(reason: FailureReason | None, has_photo: bool) -> list[str]:
    """What a failed attempt still needs: a reason, and a photo where one can prove it."""
    if reason is None:
        return ["indicar el motivo de la visita fallida"]
    if reason in FAILURE_NEEDS_PHOTO and not has_photo:
        return [f"tomar la {photo_phrase(AttachmentPurpose.FAILED_ATTEMPT)}"]
    return []


OPEN_JOB = frozenset({JobStatus.PENDING, JobStatus.PLANNED, JobStatus.IN_PROGRESS})


def job_needed(flow: str, status: str) -> JobKind | None:
    """The visit a case of `flow` in `status` needs from the ST now, if any (DOMAIN.md: the ST
    moves units only for DOAs and for provinces warranty cases)."""
    visit = {"received", "scheduled"}
    if flow in ("doa_lima", "doa_provinces") and status in visit:
        return JobKind.DOA_SWAP
    if flow == "doa_store" and status in visit:
        return JobKind.STORE_SWAP
    if flow == "warranty_provinces" and status in visit:
        return JobKind.PICKUP
    if flow == "warranty_store" and status in visit:
        return JobKind.STORE_PICKUP
    returning = {"repaired", "out_for_return"}
    if flow in ("warranty_provinces", "warranty_store") and status in returning:
        return JobKind.RETURN
    return None
