"""The object loaders of `fieldapp.services.access`, each viewer against each kind of object:
the same answer (None) for "missing" and "not yours"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.models import Attachment, DocType, Document, Route
from fieldapp.services import access
from fieldapp.services.cases import visits
from fieldapp.services.courier import sync
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.services.test_courier_sync import action, image_b64, published_stop
from tests.services.test_documents import close_stop, doa_case

VIEWERS = ["owner", "other courier", *sorted(r.value for r in Role if r is not Role.COURIER)]


@pytest.fixture
def owner(app):
    return factories.user(Role.COURIER, username="dueno")


def _viewer(name: str, owner):
    if name == "owner":
        return owner
    if name == "other courier":
        return factories.user(Role.COURIER)
    return factories.user(Role(name))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_published_stop_is_its_couriers_and_any_admins(owner, viewer):
    job = published_stop(owner)
    found = access.stop_for(_viewer(viewer, owner), job.id)
    assert (found is job) is (viewer in ("owner", "admin"))


def test_a_stop_of_an_unpublished_route_or_unknown_is_nobodys(owner):
    job = published_stop(owner)
    db.session.get(Route, job.route_id).published_at = None
    db.session.commit()
    admin = factories.user(Role.ADMIN)
    assert access.stop_for(owner, job.id) is None and access.stop_for(admin, job.id) is None
    assert access.stop_for(admin, 999_999) is None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_stops_photo_is_seen_by_staff_and_its_courier(owner, viewer):
    job = published_stop(owner)
    answer = sync.apply(owner, action(job, "photo", purpose="unit_condition", data=image_b64()))
    db.session.commit()
    attachment = db.session.get(Attachment, answer.body["attachment_id"])
    found = access.attachment_for(_viewer(viewer, owner), attachment.id)
    assert (found is attachment) is (viewer != "other courier")
    assert access.attachment_for(owner, 999_999) is None


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("doc_type", [DocType.DOA_DELIVERY, DocType.ROUTE_SHEET])
def test_a_document_is_seen_by_staff_and_the_courier_whose_work_it_is(owner, viewer, doc_type):
    close_stop(visits.open_job(doa_case()), owner, "proof_of_purchase")
    assert issue_pending().issued == 2
    document = db.session.scalars(select(Document).where(Document.doc_type == doc_type)).one()
    found = access.document_for(_viewer(viewer, owner), document.id)
    assert (found is document) is (viewer != "other courier")
    assert access.document_for(owner, 999_999) is None
