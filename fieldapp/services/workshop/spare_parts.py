"""Spare parts from DOA units: a collected unit becomes a parts donor, its parts go into repairs.

Taking a part uses the version column of `SparePart` like reservations use their conditional
UPDATE, so two repairs can never take the same part.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from fieldapp.domain.stock import MovementKind, PartStatus, StockCategory, StockStatus
from fieldapp.extensions import db
from fieldapp.models import Case, SparePart, StockUnit, User
from fieldapp.models.types import utcnow
from fieldapp.services.workshop.inventory import StockError, record_movement


def make_parts_donor(unit: StockUnit, parts: list[str], actor: User | None) -> list[SparePart]:
    """Turn a collected DOA unit into a parts donor with its usable parts.

    :raises StockError: for a unit that is not a collected DOA unit on hand, or no parts.
    """
    names = [name.strip() for name in parts if name and name.strip()]
    if unit.category is not StockCategory.DOA_COLLECTED or unit.status is not StockStatus.ON_HAND:
        raise StockError("Solo un equipo DOA recogido y en stock puede ser donante de repuestos.")
    if not names:
        raise StockError("Indique al menos un repuesto utilizable.")
    unit.status = StockStatus.PARTS_DONOR
    made = [SparePart(donor_unit_id=unit.id, name=name[:120]) for name in names]
    db.session.add_all(made)
    db.session.flush()
    record_movement(MovementKind.PARTS_DONOR, actor, unit, note=", ".join(names))
    db.session.flush()
    return made


def take_part(part: SparePart, case: Case, actor: User | None) -> None:
    """Use a donor part in the repair of `case`.

    :raises StockError: when the part was already used (also by a concurrent repair).
    """
    if part.status is not PartStatus.AVAILABLE:
        raise StockError(f"El repuesto «{part.name}» ya fue usado.")
    part.status, part.used_in_case_id, part.used_at = PartStatus.USED, case.id, utcnow()
    try:
        db.session.flush()
    except StaleDataError as error:
        raise StockError(f"El repuesto «{part.name}» ya fue usado.") from error
    record_movement(
        MovementKind.PART_TAKEN, actor, part.donor, case_id=case.id, part_id=part.id, note=part.name
    )
    db.session.flush()
