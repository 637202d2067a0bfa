"""Declarative base shared by every model: naming convention, type map and mixins.

Datetimes are stored as naive UTC everywhere (SQLite has no time zones); ``utcnow()`` is the one
source of "now" for the data layer.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Enum,
    MetaData,
    String,
    func,
    or_,
    type_coerce,
    util,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.sqltypes import SchemaType

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Current time as naive UTC, to the second (what the audit trail and the UI show)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class _CheckedEnum(Enum):
    """An ``Enum`` whose CHECK compares the column with each value in turn (``kind = 'a' OR kind
    = 'b' ...``) instead of ``kind IN ('a', 'b', ...)``: SQLite evaluates an IN list of more than
    two constants by building a temporary index of the values for every row it writes, which
    was 0.5-1 s of inserting 100,000 collaborations (three such checks); the comparisons take
    microseconds. Same meaning, NULL included (an unknown result passes a CHECK either way)."""

    @util.preload_module("sqlalchemy.sql.schema")
    def _set_table(self, column: Any, table: Any) -> None:
        SchemaType._set_table(self, column, table)  # type: ignore[arg-type]
        if not self.create_constraint:
            return
        value = type_coerce(column, String())
        CheckConstraint(
            or_(*(value == member for member in self.enums)),
            name=self.name,
            _create_rule=functools.partial(
                self._should_create_constraint,
                variant_mapping=self._variant_mapping_for_set_table(column),
            ),
            _type_bound=True,
        )


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A VARCHAR column with a CHECK constraint over the enum's *values* (portable, readable)."""
    return _CheckedEnum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: String(255),
        dt.datetime: DateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }

    #: Audited models write an audit entry for every insert, update and delete.
    __audited__: ClassVar[bool] = False
    #: Columns holding personal data; their values in the audit log can be redacted on anonymisation.
    __personal_fields__: ClassVar[frozenset[str]] = frozenset()


class Audited:
    """Mixin: the record is audited and has the common id and timestamps."""

    __audited__: ClassVar[bool] = True

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Raised by one on every save through a service (rsdesk/services/concurrency.py), so that an
    #: editor can tell whether the record changed since it loaded it. ``updated_at`` cannot: it
    #: keeps whole seconds, and two saves within one second would carry the same value. Not
    #: audited (the entries' ids order the changes); bulk writers get the server default.
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")


class Archivable:
    """Mixin: records are archived, never deleted, so that history and references survive."""

    archived: Mapped[bool] = mapped_column(default=False, index=True)


__all__ = ["Archivable", "Audited", "Base", "enum_column", "func", "utcnow"]
