"""The organisation the ST runs: `branches` (its counters, which one serves a case, who sees
which) and `programmes` (the warranty programmes it serves for each manufacturer)."""

from __future__ import annotations


class SettingError(ValueError):
    """A branch or programme setting that cannot be saved: the form `field` it belongs to and
    why (Spanish)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
