"""The audit log as a register: when, who, which table and record, what action, which fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from rsdesk.models import AuditEntry
from rsdesk.services.registers.base import DATETIME, INT, Column, Filter, RegisterSpec


def _base() -> Select[Any]:
    return select().select_from(AuditEntry)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _since(statement: Select[Any], value: Any) -> Select[Any]:
    day = _date(value)
    return statement.where(AuditEntry.at >= dt.datetime(day.year, day.month, day.day))


def _until(statement: Select[Any], value: Any) -> Select[Any]:
    day = _date(value) + dt.timedelta(days=1)
    return statement.where(AuditEntry.at < dt.datetime(day.year, day.month, day.day))


def _table_choices(session: Any) -> list[tuple[Any, str]]:
    rows = session.scalars(select(AuditEntry.table_name).distinct().order_by(AuditEntry.table_name))
    return [(name, name.replace("_", " ").capitalize()) for name in rows]


def _actor_choices(session: Any) -> list[tuple[Any, str]]:
    rows = session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor))
    return [(name, name) for name in rows]


SPEC = RegisterSpec(
    name="audit_log",
    title="Audit log",
    id_expr=AuditEntry.id,
    base=_base,
    default_sort="id",
    default_descending=True,
    columns=(
        Column("id", "Entry", AuditEntry.id, INT, width=8),
        Column("at", "When (UTC)", AuditEntry.at, DATETIME, width=18),
        Column("actor", "Who", AuditEntry.actor, width=28),
        Column("table_name", "Table", AuditEntry.table_name, width=20),
        Column("record_id", "Record", AuditEntry.record_id, INT, width=8),
        Column(
            "action",
            "Action",
            AuditEntry.action,
            "enum",
            width=10,
            choices=("insert", "update", "delete", "anonymise"),
        ),
        Column("changes", "Fields", AuditEntry.changes, width=48),
        # With the previous and state hashes, an exported slice can be re-verified by hand.
        Column("state_hash", "State hash", AuditEntry.state_hash, width=20, visible=False),
        Column("prev_hash", "Previous hash", AuditEntry.prev_hash, width=20, visible=False),
        Column("hash", "Hash", AuditEntry.hash, width=20, visible=False),
    ),
    search=(AuditEntry.actor, AuditEntry.table_name),
    filters=(
        Filter("table", "Table", lambda s, v: s.where(AuditEntry.table_name == v), _table_choices),
        Filter("actor", "Who", lambda s, v: s.where(AuditEntry.actor == v), _actor_choices),
        Filter(
            "action",
            "Action",
            lambda s, v: s.where(AuditEntry.action == v),
            lambda _s: [(a, a.capitalize()) for a in ("insert", "update", "delete", "anonymise")],
        ),
        Filter("since", "From", _since),
        Filter("until", "Until", _until),
        Filter("record", "Record", lambda s, v: s.where(AuditEntry.record_id == int(v))),
    ),
)
