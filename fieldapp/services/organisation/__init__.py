"""The organisation the ST runs: `branches` (its counters, which one serves a case, who sees
which) and `programmes` (the warranty programmes it serves for each manufacturer)."""

from __future__ import annotations

from typing import TypeVar

from fieldapp.extensions import db
from fieldapp.models import Branch, Programme, User
from fieldapp.services import audit

Setting = TypeVar("Setting", Branch, Programme)


class SettingError(ValueError):
    """A branch or programme setting that cannot be saved: the form `field` it belongs to and
    why (Spanish)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def apply_settings(
    kind: str, found: Setting | None, new: type[Setting], wanted: dict, actor: User
) -> Setting:
    """Create a `new` row (`found` None) or change `found` to the `wanted` values, audited as
    `<kind>_created` / `<kind>_changed` with the fields that changed. Flushes."""
    created = found is None
    row = new() if created else found
    if created:
        db.session.add(row)
    changed = {k: v for k, v in wanted.items() if created or getattr(row, k) != v}
    for name, value in changed.items():
        setattr(row, name, value)
    db.session.flush()
    if changed:
        audit.record(
            f"{kind}_created" if created else f"{kind}_changed",
            entity=kind,
            entity_id=row.id,
            actor=actor,
            note=f"{row.code}: {', '.join(sorted(changed))}",
            data={"changed": sorted(changed)},
        )
    return row
