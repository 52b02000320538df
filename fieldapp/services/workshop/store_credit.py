"""The credit at sale: a unit that failed as it was sold is credited to the store (no case)."""

from __future__ import annotations

from sqlalchemy import select

from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.stock import MovementKind
from fieldapp.extensions import db
from fieldapp.models import StockMovement, Store, User
from fieldapp.services.workshop.inventory import StockError, parsed_service_number, record_movement


def credit_at_sale(
    store: Store, service_number: str, model: str | None, actor: User | None, note: str | None
) -> StockMovement:
    """Record the store's credit for a unit that failed at the moment of sale (no case).

    :raises StockError: for a bad service number or one already credited.
    """
    number = parsed_service_number(service_number)
    done = select(StockMovement.id).where(
        StockMovement.kind == MovementKind.CREDITED_AT_SALE, StockMovement.service_number == number
    )
    if db.session.scalar(done):
        raise StockError(f"El equipo {number} ya fue acreditado.")
    movement = record_movement(
        MovementKind.CREDITED_AT_SALE,
        actor,
        store_id=store.id,
        service_number=number,
        model=(model or "").strip() or None,
        note=note,
    )
    db.session.flush()
    return movement


def store_for_credit(name: str, ubigeo: str) -> Store:
    """The store of a credit at sale, found by name and district or added.

    :raises StockError: for an unknown district.
    """
    if Gazetteer.default().get(ubigeo) is None:
        raise StockError(f"No existe el distrito con UBIGEO {ubigeo}.")
    name = name.strip()
    found = db.session.scalar(select(Store).where(Store.name == name, Store.ubigeo == ubigeo))
    if found is None:
        found = Store(name=name, ubigeo=ubigeo)
        db.session.add(found)
        db.session.flush()
    return found
