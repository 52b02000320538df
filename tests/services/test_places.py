"""The point of a stop's address: given at intake, learned from a courier's arrival, used by the
next visit and by the review's distance check."""

from __future__ import annotations

import pytest

from fieldapp.domain.case_flow import Origin
from fieldapp.domain.review import Flag
from fieldapp.extensions import db
from fieldapp.services.cases import intake, visits
from fieldapp.services.courier import sync
from fieldapp.services.supervisor import approval
from tests.factories import close_job, doa_case, published_stop
from tests.factories import sync_action as action

# Miraflores (150122), the factories' district; its centre is about (-12.1217, -77.0292).
NEAR = (-12.1190, -77.0340)
FAR_AWAY = (-12.3500, -76.8000)  # about 35 km from the district's centre


def test_a_point_given_at_intake_is_where_the_visit_goes(app):
    case = doa_case(customer={"lat": NEAR[0], "lon": NEAR[1]})
    assert (case.customer.lat, case.customer.lon) == NEAR
    assert (visits.open_job(case).lat, visits.open_job(case).lon) == NEAR


def test_intake_refuses_a_point_outside_peru(app):
    with pytest.raises(intake.IntakeError) as refused:
        doa_case(customer={"lat": 12.1, "lon": 77.0})
    assert "fuera del Perú" in " ".join(refused.value.errors["customer.lat"])


def test_a_stores_phone_is_kept(app):
    store = intake.StoreInput(name="Ripley Trujillo", ubigeo="130101", phone="044 201 000")
    case = doa_case(origin=Origin.STORE, store=store)
    assert case.store.phone == "044 201 000"


def test_a_precise_arrival_teaches_the_point_once(app, courier):
    job = published_stop(courier)
    vague = action(job, "arrive", lat=-12.2, lon=-77.1, accuracy_m=900)
    assert sync.apply(courier, vague).status == 200
    assert job.case.customer.lat is None
    precise = action(job, "arrive", lat=NEAR[0], lon=NEAR[1], accuracy_m=12)
    assert sync.apply(courier, precise).status == 200
    assert (job.case.customer.lat, job.case.customer.lon) == NEAR
    again = action(job, "arrive", lat=-12.125, lon=-77.02, accuracy_m=5)
    assert sync.apply(courier, again).status == 200
    assert (job.case.customer.lat, job.case.customer.lon) == NEAR  # the first point stays
    db.session.commit()


def test_the_review_measures_the_arrival_from_the_address_point_when_known(app, courier):
    at_address = doa_case(customer={"lat": FAR_AWAY[0], "lon": FAR_AWAY[1]})
    job = close_job(at_address, courier, lat=FAR_AWAY[0], lon=FAR_AWAY[1])
    item = approval.item_for(job)
    assert item.distance_km == 0.0 and item.distance_from == "de la dirección"
    assert Flag.FAR_FROM_DISTRICT not in item.review.flags

    unknown = doa_case()
    job = close_job(unknown, courier, lat=FAR_AWAY[0], lon=FAR_AWAY[1])
    item = approval.item_for(job)
    assert item.distance_km > 30 and item.distance_from == "del distrito"
    assert Flag.FAR_FROM_DISTRICT in item.review.flags
