"""The plain values each PDF template prints, read from the case, the stop and the route.

Templates get strings, numbers and image URLs only (autoescaped by Jinja), never model objects.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from fieldapp.domain.case_flow import FLOW_LABELS, Event
from fieldapp.domain.deadlines import LIMA_TZ
from fieldapp.domain.geo import Gazetteer
from fieldapp.domain.jobs import FAILURE_LABELS, JOB_KIND_LABELS, JobKind, JobStatus
from fieldapp.domain.mapping import plan_map
from fieldapp.domain.shipments import DIRECTION_LABELS, SHIPMENT_STATUS_LABELS
from fieldapp.extensions import db
from fieldapp.infra import pdf_render
from fieldapp.models import (
    Attachment,
    AttachmentKind,
    AuditEvent,
    Branch,
    Case,
    CourierProfile,
    DocType,
    Document,
    DocumentRequest,
    Job,
    Repair,
    Route,
    Shipment,
    User,
)
from fieldapp.models.document import DOC_TITLES
from fieldapp.models.route import VEHICLE_LABELS

PROOF_LABELS = {"boleta": "Boleta", "factura": "Factura", "ticket": "Ticket"}
# What the courier carries to (or brings back from) a stop of each kind.
CARRY = {
    JobKind.DOA_SWAP: "Llevar equipo nuevo; recoger el equipo fallado",
    JobKind.STORE_SWAP: "Llevar equipo de reposición; recoger el equipo DOA",
    JobKind.PICKUP: "Recoger equipo para reparación",
    JobKind.STORE_PICKUP: "Recoger equipo en tienda",
    JobKind.RETURN: "Llevar equipo reparado",
}


def lima(at: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A UTC time shown in Lima, or an empty string."""
    return at.astimezone(LIMA_TZ).strftime(fmt) if at is not None else ""


def district_label(ubigeo: str | None) -> str:
    """The district's name for a ubigeo (the code itself when unknown)."""
    if not ubigeo:
        return ""
    found = Gazetteer.default().get(ubigeo)
    return found.label if found is not None else ubigeo


def build(queued: DocumentRequest, document: Document, urls: dict[str, str]) -> dict:
    """Everything the template of `queued.doc_type` prints, as plain values."""
    config = current_app.config
    code = document.short_code
    supersedes = (
        db.session.get(Document, document.supersedes_id) if document.supersedes_id else None
    )
    context = {
        "st": {"name": config["ST_NAME"], "ruc": config["ST_RUC"], "address": config["ST_ADDRESS"]},
        "title": DOC_TITLES[document.doc_type],
        "number": document.number,
        "issued_at": lima(document.issued_at),
        "short_code": f"{code[:4]}-{code[4:]}",
        "verify_url": urls["short"],
        "qr": pdf_render.qr_svg(urls["token"]),
        "supersedes": supersedes.number if supersedes is not None else None,
    }
    case = db.session.get(Case, queued.case_id) if queued.case_id else None
    job = db.session.get(Job, queued.job_id) if queued.job_id else None
    if case is not None:
        context["case"] = case_facts(case)
    if job is not None:
        context["job"] = job_facts(job)
    if document.doc_type is DocType.RECEPTION_RECEIPT and case is not None:
        context["reception"] = reception_facts(case)
    if document.doc_type is DocType.REPAIR_DELIVERY and case is not None:
        context["repair"] = _event_note(case, Event.REPAIR)
        if job is None:
            context["collection"] = collection_facts(case)
    route = db.session.get(Route, queued.route_id) if queued.route_id else None
    if route is not None:
        context["route"] = route_facts(route)
    branch_id = case.branch_id if case is not None else route.branch_id if route else None
    branch = db.session.get(Branch, branch_id) if branch_id else None
    if branch is not None:  # documents carry the branch that serves the case (or the route)
        context["st"].update(branch=branch.name, address=branch.address)
    return context


def case_facts(case: Case) -> dict:
    """The case, its unit, customer, store and proof of purchase."""
    customer = case.customer
    proof = None
    if case.proof_type or case.proof_number:
        kind = PROOF_LABELS.get(case.proof_type or "", (case.proof_type or "").capitalize())
        proof = f"{kind} {case.proof_number or ''}".strip()
    return {
        "id": f"C-{case.id:06d}",
        "number": case.case_number,
        "flow": FLOW_LABELS.get(case.flow, case.flow.value),
        "service_number": case.unit.service_number,
        "model": " ".join(filter(None, (case.unit.model_family, case.unit.model))),
        "brand": case.programme.brand,
        "customer_name": customer.name,
        "customer_document": customer.document_id or "",
        "customer_phone": customer.phone or "",
        "customer_address": customer.address or "",
        "district": district_label(case.ubigeo),
        "store": case.store.name if case.store is not None else "",
        "proof": proof,
        "purchase_date": case.purchase_date.strftime("%d/%m/%Y"),
        "received_at": lima(case.received_at),
        "unit_received_at": lima(case.unit_received_at),
        "repaired_at": lima(case.repaired_at),
    }


def job_facts(job: Job) -> dict:
    """What the courier recorded at a stop: place, time, units, answers, signature and photos."""
    courier = db.session.get(User, job.completed_by_id) if job.completed_by_id else None
    files = db.session.scalars(
        select(Attachment).where(Attachment.job_id == job.id).order_by(Attachment.id)
    ).all()
    signature = next((f for f in files if f.kind is AttachmentKind.SIGNATURE), None)
    photos = [
        url
        for f in files
        if f.kind is AttachmentKind.PHOTO
        and (url := pdf_render.media_url(f.sha256, f.content_type)) is not None
    ]
    gps = None
    if job.arrival_lat is not None and job.arrival_lon is not None:
        gps = f"{job.arrival_lat:.5f}, {job.arrival_lon:.5f}"
        if job.arrival_accuracy_m is not None:
            gps += f" (±{job.arrival_accuracy_m:.0f} m)"
    refilled = {True: "Sí", False: "No", None: "Sin respuesta"}[job.refilled_cartridges]
    return {
        "kind": JOB_KIND_LABELS[job.kind],
        "attempt": job.attempt,
        "address": job.address or "",
        "district": district_label(job.ubigeo),
        "gps": gps,
        "arrived_at": lima(job.arrived_at),
        "completed_at": lima(job.completed_at),
        "courier": courier.full_name if courier is not None else "",
        "unit_out": job.replacement_service_number or "",
        "unit_in": job.checked_service_number or "",
        "accessories": job.accessories or "",
        "refilled": refilled,
        "signer_name": job.signer_name or "",
        "signer_document": job.signer_document_id or "",
        "signature": pdf_render.media_url(signature.sha256, signature.content_type)
        if signature is not None
        else None,
        "photos": photos,
        "failure": FAILURE_LABELS[job.failure_reason] if job.failure_reason else "",
        "note": job.outcome_note or "",
        "shipments": shipment_facts(job),
    }


def shipment_facts(job: Job) -> list[dict]:
    """A job sent by agency: each leg's carrier, waybill number, branch and receiver."""
    found = db.session.scalars(
        select(Shipment).where(Shipment.job_id == job.id).order_by(Shipment.id)
    ).all()
    return [
        {
            "direction": DIRECTION_LABELS[s.direction],
            "carrier": s.carrier,
            "waybill": s.waybill or "",
            "branch": s.agency_branch or "",
            "status": SHIPMENT_STATUS_LABELS[s.status],
            "delivered_at": lima(s.delivered_at),
            "receiver": ", DNI ".join(filter(None, (s.receiver_name, s.receiver_document_id))),
        }
        for s in found
    ]


def reception_facts(case: Case) -> dict:
    """Who received the unit at the counter, when, how it came in and the notes taken."""
    event = _event(case, Event.RECEIVE_UNIT)
    actor = db.session.get(User, event.actor_user_id) if event and event.actor_user_id else None
    pickup = db.session.scalar(
        select(Job)
        .where(
            Job.case_id == case.id,
            Job.kind.in_((JobKind.PICKUP, JobKind.STORE_PICKUP)),
            Job.status.in_((JobStatus.DONE, JobStatus.APPROVED)),
        )
        .order_by(Job.id.desc())
    )
    return {
        "at": lima(case.unit_received_at),
        "by": actor.full_name if actor is not None else "",
        "arrival": "Recojo del servicio técnico"
        if pickup is not None
        else "Entregado en mostrador",
        "note": event.note if event is not None and event.note else "",
        "accessories": pickup.accessories if pickup is not None and pickup.accessories else "",
    }


def collection_facts(case: Case) -> dict:
    """Who collected the repaired unit at the counter, when, and the signature drawn there."""
    repair = db.session.scalar(select(Repair).where(Repair.case_id == case.id))
    signature = db.session.scalar(
        select(Attachment)
        .where(
            Attachment.case_id == case.id,
            Attachment.job_id.is_(None),
            Attachment.kind == AttachmentKind.SIGNATURE,
        )
        .order_by(Attachment.id.desc())
    )
    return {
        "signer_name": (repair.collected_by_name if repair else None) or "",
        "signer_document": (repair.collected_by_document_id if repair else None) or "",
        "at": lima(repair.collected_at if repair else None),
        "signature": pdf_render.media_url(signature.sha256, signature.content_type)
        if signature is not None
        else None,
    }


def route_facts(route: Route) -> dict:
    """The route sheet: courier, vehicle, ordered stops and the small map."""
    profile = db.session.get(CourierProfile, route.courier_id)
    stops = []
    for job in route.jobs:
        case = job.case
        party = case.store if case.store is not None and "store" in case.flow.value else None
        window = ""
        if job.window_start and job.window_end:
            window = f"{lima(job.window_start, '%H:%M')}–{lima(job.window_end, '%H:%M')}"
        elif job.eta:
            window = f"ETA {lima(job.eta, '%H:%M')}"
        stops.append(
            {
                "sequence": job.sequence or len(stops) + 1,
                "kind": JOB_KIND_LABELS[job.kind],
                "case_number": case.case_number,
                "service_number": case.unit.service_number,
                "name": party.name if party is not None else case.customer.name,
                "phone": (party.phone if party is not None else case.customer.phone) or "",
                "address": job.address or "",
                "district": district_label(job.ubigeo),
                "window": window,
                "carry": CARRY[job.kind],
            }
        )
    base = (profile.base_lat, profile.base_lon) if profile is not None else None
    return {
        "day": route.day.strftime("%d/%m/%Y"),
        "courier": route.courier.full_name,
        "vehicle": VEHICLE_LABELS.get(profile.vehicle, profile.vehicle) if profile else "",
        "base": profile.base_name if profile is not None else "",
        "distance_km": f"{route.distance_km:.1f}" if route.distance_km is not None else "",
        "stops": stops,
        "map": plan_map(
            [("", base, [(job.lat, job.lon) for job in route.jobs])],
            width=480,
            height=190,
            margin=14,
        ),
    }


def _event(case: Case, event: Event) -> AuditEvent | None:
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == event.value)
        .order_by(AuditEvent.id.desc())
    )


def _event_note(case: Case, event: Event) -> str:
    found = _event(case, event)
    return found.note if found is not None and found.note else ""
