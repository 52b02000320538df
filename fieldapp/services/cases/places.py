"""Where a stop is: the party (customer or store) the visit goes to, and the point of its
address, given at intake or learned from a courier's arrival there."""

from __future__ import annotations

from fieldapp.domain import jobs
from fieldapp.domain import stop_contact as contact
from fieldapp.domain.geo import Gazetteer, Zone, distance_km, zone_for
from fieldapp.models import Customer, Job, Store, User
from fieldapp.services import audit
from fieldapp.services.supervisor import approval


def party_of(job: Job) -> Customer | Store:
    """Who the courier meets: the store on store stops, else the customer."""
    if job.kind in jobs.AT_STORE and job.case.store is not None:
        return job.case.store
    return job.case.customer


def known_point(job: Job) -> tuple[float, float] | None:
    """The point of the stop's address, when one is known (never the district's centre)."""
    party = party_of(job)
    if party.lat is None or party.lon is None:
        return None
    return party.lat, party.lon


def learn_from_arrival(
    job: Job, actor: User, lat: float, lon: float, accuracy_m: float | None
) -> bool:
    """Keep the courier's arrival fix as the address's point when none is known yet and the fix
    is precise and near the district; later visits navigate and plan to it."""
    party = party_of(job)
    if known_point(job) is not None:
        return False
    district = Gazetteer.default().require(job.ubigeo)
    limits = approval.thresholds()
    far = limits.far_km_lima if zone_for(job.ubigeo) is Zone.LIMA else limits.far_km_provinces
    if not contact.learns_point(accuracy_m, distance_km((lat, lon), district.point), far):
        return False
    party.lat, party.lon = lat, lon
    audit.record(
        "address_point_learned",
        entity="job",
        entity_id=job.id,
        actor=actor,
        case_id=job.case_id,
        note=f"Punto de la dirección tomado de la llegada (± {round(accuracy_m or 0)} m)",
    )
    return True
