"""The review queue page: evidence side by side, approve, reject with a reason, bulk approve."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fieldapp.domain.case_flow import Status
from fieldapp.domain.jobs import JobStatus
from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.infra import media
from fieldapp.models import Attachment, Job
from fieldapp.worker.jobs import issue_pending
from tests import factories
from tests.conftest import csrf_token
from tests.factories import close_job, doa_case


@pytest.fixture
def supervisor(logged_in):
    return logged_in(Role.SUPERVISOR)


def test_queue_shows_evidence_side_by_side(client, supervisor, courier):
    case = doa_case()
    close_job(case, courier, checked="T999999")
    html = client.get("/supervisor/").get_data(as_text=True)
    assert case.case_number in html
    assert "N.º de servicio no coincide" in html and "no coincide" in html
    assert "A 0.0 km del distrito" in html
    assert "foto del comprobante de compra" in html and "María Flores" in html
    assert "Cumplido" in html and "Sin documento emitido" in html


def test_approve_from_the_page_closes_the_case(client, supervisor, courier):
    case = doa_case()
    job = close_job(case, courier)
    token = csrf_token(client, "/supervisor/")
    response = client.post(f"/supervisor/jobs/{job.id}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.status is Status.CLOSED
    assert "aprobado" in client.get("/supervisor/").get_data(as_text=True)


def test_reject_without_reason_shows_the_error_next_to_the_field(client, supervisor, courier):
    job = close_job(doa_case(), courier)
    token = csrf_token(client, "/supervisor/")
    data = {
        f"job{job.id}-csrf_token": token,
        f"job{job.id}-reason": "",
        f"job{job.id}-send_to": "courier",
    }
    response = client.post(f"/supervisor/jobs/{job.id}/reject", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="job{job.id}-reason-error"' in html and "Indique el motivo" in html
    data[f"job{job.id}-reason"] = "Foto ilegible"
    assert client.post(f"/supervisor/jobs/{job.id}/reject", data=data).status_code == 303
    db.session.refresh(job)
    assert job.status is JobStatus.REJECTED and job.rejection_reason == "Foto ilegible"


def test_bulk_approve_leaves_flagged_jobs(client, supervisor, courier):
    clean = close_job(doa_case(), courier)
    flagged = close_job(doa_case(), courier, skew_minutes=30)
    token = csrf_token(client, "/supervisor/")
    assert "Aprobar 1 sin observaciones" in client.get("/supervisor/").get_data(as_text=True)
    assert client.post("/supervisor/bulk-approve", data={"csrf_token": token}).status_code == 303
    statuses = dict(db.session.execute(select(Job.id, Job.status)).all())
    assert statuses[clean.id] is JobStatus.APPROVED and statuses[flagged.id] is JobStatus.DONE


def test_missing_evidence_disables_approve_and_the_post_is_refused(client, supervisor, courier):
    job = close_job(doa_case(), courier)
    db.session.execute(
        Attachment.__table__.delete().where(
            Attachment.job_id == job.id, Attachment.kind == "signature"
        )
    )
    db.session.commit()
    html = client.get("/supervisor/").get_data(as_text=True)
    assert "Sin firma." in html and "disabled" in html
    token = csrf_token(client, "/supervisor/")
    response = client.post(f"/supervisor/jobs/{job.id}/approve", data={"csrf_token": token})
    assert response.status_code == 422 and "falta: obtener la firma" in response.get_data(
        as_text=True
    )
    db.session.refresh(job)
    assert job.status is JobStatus.DONE


def test_evidence_images_link_to_the_media_route(client, supervisor, courier):
    job = close_job(doa_case(), courier)
    photo = db.session.scalar(
        select(Attachment).where(Attachment.job_id == job.id, Attachment.kind == "photo")
    )
    photo.sha256 = media.store(b"\xff\xd8fake-jpeg", "image/jpeg")
    db.session.commit()
    html = client.get("/supervisor/").get_data(as_text=True)
    assert f'src="/media/{photo.id}"' in html
    response = client.get(f"/media/{photo.id}")
    assert response.data == b"\xff\xd8fake-jpeg" and response.mimetype == "image/jpeg"


def test_issued_delivery_note_is_shown_beside_the_evidence(client, supervisor, courier):

    job = close_job(doa_case(), courier)
    issue_pending()
    db.session.commit()
    html = client.get("/supervisor/").get_data(as_text=True)
    card = html.split(f'id="job-{job.id}"', 1)[1]
    assert "Sin documento emitido" not in card and "NE-" in card
    assert 'href="/documents/' in card


def test_queue_filters_by_courier_zone_and_flag_and_keeps_them(client, supervisor):
    ana = factories.user(Role.COURIER, full_name="Ana Lima")
    beto = factories.user(Role.COURIER, full_name="Beto Sur")
    lima_clean = close_job(doa_case(), ana)
    lima_wrong = close_job(doa_case(), ana, checked="T999999")
    south = close_job(doa_case(customer={"ubigeo": "040101"}), beto)

    def shown(**query) -> set[int]:
        html = client.get("/supervisor/", query_string=query).get_data(as_text=True)
        return {int(n) for n in re.findall(r'id="job-(\d+)"', html)}

    everyone = {lima_clean.id, lima_wrong.id, south.id}
    assert shown() == everyone
    assert shown(courier=ana.id) == {lima_clean.id, lima_wrong.id}
    assert shown(zone="provinces") == {south.id}
    assert shown(flag="service_number_mismatch") == {lima_wrong.id}
    assert shown(flag="clean", courier=ana.id) == {lima_clean.id}
    assert shown(courier=beto.id, zone="lima") == set()
    assert shown(zone="mars", flag="nonsense", courier="x") == everyone  # ignored, not a 500
    html = client.get("/supervisor/", query_string={"courier": beto.id, "zone": "lima"})
    html = html.get_data(as_text=True)
    assert "Ningún trabajo por aprobar coincide con los filtros." in html
    assert f'<option selected value="{beto.id}">Beto Sur</option>' in html

    # Approving from a filtered queue comes back to the same filters; bulk approval takes only
    # the clean jobs the filters show.
    token = csrf_token(client, "/supervisor/")
    response = client.post(
        f"/supervisor/jobs/{lima_wrong.id}/approve?courier={ana.id}", data={"csrf_token": token}
    )
    assert response.headers["Location"] == f"/supervisor/?courier={ana.id}"
    response = client.post("/supervisor/bulk-approve?zone=provinces", data={"csrf_token": token})
    assert response.headers["Location"] == "/supervisor/?zone=provinces"
    db.session.expire_all()
    assert db.session.get(Job, south.id).status is JobStatus.APPROVED
    assert db.session.get(Job, lima_clean.id).status is JobStatus.DONE
