"""Loading single objects for a user or API client, only when they may see them.

Every object-level access decision of the app goes through here (the rules themselves are
`fieldapp.domain.permissions`), so a view loads with one call and cannot forget the check. The
`*_for` loaders answer None for "missing or not yours" alike (callers say 404 either way, so a
stranger cannot tell one from the other); the `*_or_404` ones abort for views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from sqlalchemy import ColumnElement, or_, select

from fieldapp.domain import permissions
from fieldapp.extensions import db
from fieldapp.models import ApiClient, Attachment, Case, Document, Job, Route, User
from fieldapp.services.organisation import branches

T = TypeVar("T")


def _or_404(found: T | None) -> T:
    """`found`, or a 404 when there is nothing (or nothing this user may see)."""
    if found is None:
        abort(404)
    return found


def _published_stop(job_id: int) -> tuple[Job, int] | tuple[None, None]:
    """The job and its route's courier, if the job is on a published route."""
    row = db.session.execute(
        select(Job, Route.courier_id)
        .join(Route, Job.route_id == Route.id)
        .where(Job.id == job_id, Route.published_at.is_not(None))
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def stop_for(user: User, job_id: int) -> Job | None:
    """The job if it is on a route published to `user` (admins: any published route)."""
    job, courier_id = _published_stop(job_id)
    if job is None or not permissions.may_work_stop(user.role, user.id, courier_id):
        return None
    return job


def stop_or_404(user: User, job_id: int) -> Job:
    """`stop_for`, for views.

    :raises NotFound: (404) when the stop is not on a route published to `user`.
    """
    return _or_404(stop_for(user, job_id))


def _if_seen(user: User, found: T | None, courier_of: Callable[[T], int | None]) -> T | None:
    """`found` if `user` may see it (whose work it is gets looked up only for a non-staff user:
    staff see everything)."""
    if found is None:
        return None
    courier_id = None if permissions.is_staff(user.role) else courier_of(found)
    return found if permissions.may_see_courier_work(user.role, user.id, courier_id) else None


def _attachment_courier(attachment: Attachment) -> int | None:
    """The courier a photo or signature belongs to: the one whose published route its stop is
    on (None for a file of no stop, or of a stop on no published route)."""
    return _published_stop(attachment.job_id)[1] if attachment.job_id is not None else None


def attachment_for(user: User, attachment_id: int) -> Attachment | None:
    """The photo or signature if `user` may see it: staff all, a courier only those of stops on
    routes published to them."""
    return _if_seen(user, db.session.get(Attachment, attachment_id), _attachment_courier)


def attachment_or_404(user: User, attachment_id: int) -> Attachment:
    """`attachment_for`, for views.

    :raises NotFound: (404) when it does not exist or `user` may not see it.
    """
    return _or_404(attachment_for(user, attachment_id))


def _document_courier(document: Document) -> int | None:
    """The courier a document belongs to: who closed its stop, or whose route sheet it is."""
    if document.job_id is not None:
        job = db.session.get(Job, document.job_id)
        return job.completed_by_id if job is not None else None
    if document.route_id is not None:
        route = db.session.get(Route, document.route_id)
        return route.courier_id if route is not None else None
    return None


def document_for(user: User, document_id: int) -> Document | None:
    """The issued document if `user` may download it: staff all, a courier only those of stops
    they closed and their own route sheets."""
    return _if_seen(user, db.session.get(Document, document_id), _document_courier)


def document_or_404(user: User, document_id: int) -> Document:
    """`document_for`, for views.

    :raises NotFound: (404) for an unknown document or one `user` may not see.
    """
    return _or_404(document_for(user, document_id))


def readable_by(client: ApiClient) -> ColumnElement[bool]:
    """The cases an API client may read, as a filter: those it opened, and its granted
    programme's."""
    mine = Case.created_by_api_client_id == client.id
    if client.programme_id is None:
        return mine
    return or_(mine, Case.programme_id == client.programme_id)


def job_to_dispatch(user: User, job_id: int) -> Job | None:
    """A job `user` may plan, edit, reserve for or send by agency: any job for those who may
    choose a branch, else only the jobs of cases their branch serves."""
    job = db.session.get(Job, job_id)
    if job is None or not branches.may_act_on(user, job.case.branch_id):
        return None
    return job


def job_to_dispatch_or_404(user: User, job_id: int) -> Job:
    """`job_to_dispatch` for views.

    :raises NotFound: for an unknown job, or one of another branch.
    """
    return _or_404(job_to_dispatch(user, job_id))


def courier_to_dispatch_or_404(user: User, courier_id: int) -> User:
    """A courier whose day `user` may plan (their branch's, or any for who may choose).

    :raises NotFound: for an unknown user, or a courier of another branch.
    """
    courier = db.session.get(User, courier_id)
    if courier is None or not branches.may_act_on(user, courier.branch_id):
        abort(404)
    return courier
