"""Typed SQLAlchemy models, one module per aggregate; imported here so Alembic sees them all."""

from fieldapp.models.api_client import ApiClient
from fieldapp.models.attachment import Attachment, AttachmentKind, AttachmentPurpose
from fieldapp.models.audit import AuditEvent
from fieldapp.models.background import FailedJob, OptimisationRun, RunStatus
from fieldapp.models.branch import Branch
from fieldapp.models.case import Case, CaseDeadline
from fieldapp.models.document import DocType, Document, DocumentRequest, DocumentSeries
from fieldapp.models.job import Job
from fieldapp.models.mail import OutboxMessage
from fieldapp.models.party import Customer, Store
from fieldapp.models.programme import DistrictBandOverride, Programme
from fieldapp.models.repair import Repair, RepairNote
from fieldapp.models.route import CourierAvailability, CourierProfile, Route, UnplannedJob
from fieldapp.models.shipment import Shipment
from fieldapp.models.stock import SparePart, StockMovement, StockUnit
from fieldapp.models.sync import SyncAction
from fieldapp.models.unit import Unit
from fieldapp.models.user import User

__all__ = [
    "ApiClient",
    "Attachment",
    "AttachmentKind",
    "AttachmentPurpose",
    "AuditEvent",
    "Branch",
    "Case",
    "CaseDeadline",
    "CourierAvailability",
    "CourierProfile",
    "Customer",
    "DocType",
    "Document",
    "DocumentRequest",
    "DocumentSeries",
    "DistrictBandOverride",
    "FailedJob",
    "Job",
    "OptimisationRun",
    "OutboxMessage",
    "Programme",
    "Repair",
    "RepairNote",
    "RunStatus",
    "Route",
    "Shipment",
    "SparePart",
    "Store",
    "StockMovement",
    "StockUnit",
    "SyncAction",
    "Unit",
    "UnplannedJob",
    "User",
]
