"""Warranty programmes as the admin keeps them: every programme, and creating or changing one
(each change audited with what changed)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select

from fieldapp.extensions import db
from fieldapp.models import Programme, User
from fieldapp.services.organisation import SettingError, apply_settings


@dataclass(frozen=True)
class ProgrammeValues:
    """A programme's settings as the admin typed them (already checked field by field)."""

    code: str
    name: str
    brand: str
    doa_days: int
    warranty_months: int
    service_number_pattern: str
    service_number_example: str
    model_families: dict[str, str]
    referral_centres: list[str] | None  # None: the app's list
    case_admin_email: str | None
    active: bool


def every() -> list[Programme]:
    """Every programme, active first, by name."""
    return list(
        db.session.scalars(select(Programme).order_by(Programme.active.desc(), Programme.name))
    )


def save(programme: Programme | None, values: ProgrammeValues, actor: User) -> Programme:
    """Create a programme (`programme` None) or change one; audited with the fields changed.
    Flushes.

    :raises SettingError: when another programme has the code.
    """
    taken = db.session.scalar(
        select(Programme.id).where(
            Programme.code == values.code,
            Programme.id != (programme.id if programme is not None else -1),
        )
    )
    if taken is not None:
        raise SettingError("code", f"Ya existe un programa con el código {values.code}.")
    return apply_settings("programme", programme, Programme, asdict(values), actor)
