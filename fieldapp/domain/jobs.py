"""Jobs: the visits the ST makes to move units, and how a job moves from plan to approval."""

from __future__ import annotations

from enum import StrEnum


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

# Units the courier carries out to the stop and brings back from it.
LOAD: dict[JobKind, tuple[int, int]] = {
    JobKind.DOA_SWAP: (1, 1),
    JobKind.PICKUP: (0, 1),
    JobKind.RETURN: (1, 0),
    JobKind.STORE_SWAP: (1, 1),
    JobKind.STORE_PICKUP: (0, 1),
}
