"""Column types shared by the models: UTC timestamps and enums stored as plain strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, TypeDecorator

# The largest id every engine's INTEGER column holds (PostgreSQL's is 32-bit): a bigger number
# in a URL or a body cannot name a row, and must not reach the database driver.
MAX_ID = 2**31 - 1
# Dates the app accepts from outside (API, phones, query strings); beyond them, Python's own
# date arithmetic and the drivers overflow.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite keeps no zone, so naive values read back are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[StrEnum], length: int = 32) -> Enum:
    """A VARCHAR column holding an enum's values: adding a value later needs no migration."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def render_migration_item(type_: str, obj, _autogen_context) -> str | bool:
    """Alembic hook: write UTCDateTime as a plain timezone-aware DateTime, so migrations never
    import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
