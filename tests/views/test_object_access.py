"""Object-level access through the pages: a courier's stop page by every kind of viewer (the
area guard answers 403 first for roles outside the courier area; the loader 404 for a stop that
is not the viewer's)."""

from __future__ import annotations

import pytest

from fieldapp.domain.roles import Role
from tests import factories
from tests.services.test_courier_sync import published_stop

EXPECTED = {
    "owner": 200,
    "other courier": 404,
    "admin": 200,
    "dispatcher": 403,
    "supervisor": 403,
    "technician": 403,
}


@pytest.mark.parametrize(("viewer", "status"), sorted(EXPECTED.items()))
def test_a_stop_page_by_each_viewer(client, login, viewer, status):
    owner = factories.user(Role.COURIER, username="dueno")
    job = published_stop(owner)
    if viewer == "owner":
        username = owner.username
    elif viewer == "other courier":
        username = factories.user(Role.COURIER, username="otro").username
    else:
        username = factories.user(Role(viewer)).username
    login(username)
    response = client.get(f"/courier/stops/{job.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert (job.case.case_number in html) is (status == 200)
