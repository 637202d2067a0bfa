"""Refusing a write to a record whose stored state no longer matches its last audit entry.

Without this an ordinary edit launders tampering: the new entry records the tampered value as
the starting point, and verify then says intact. Checked before any SQL of the flush runs, with
one query per table for the stored rows and one for their last entries.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.models.audit import AuditEntry
from rsdesk.models.base import Base
from rsdesk.services.errors import KnownError


class ChangedOutsideRsdesk(KnownError):
    """A record about to be written differs from what its audit trail says it holds."""

    def __init__(self, record: str, fields: list[str]) -> None:
        detail = f" ({'; '.join(fields)})" if fields else ""
        super().__init__(
            f"{record} was changed outside rsdesk{detail}; nothing was saved. "
            "Run Audit > Verify chain and see docs/protection.md"
        )


def _label(obj: Any, table_name: str, record_id: int) -> str:
    reference = getattr(obj, "reference", None)
    return f"{table_name} {reference}" if reference else f"{table_name} {record_id}"


def _shown(value: Any) -> Any:
    return getattr(value, "value", value)


def _differing_fields(
    spec: auditlog.AuditSpec, stored: dict[str, Any], changes: dict[str, Any] | None
) -> list[str]:
    """Fields whose stored value differs from the value the last entry wrote, where it says."""
    found = []
    for name, pair in (changes or {}).items():
        if name in spec.personal or name not in stored or not isinstance(pair, list):
            continue
        if len(pair) == 2 and stored[name] != pair[1]:
            found.append(
                f"{name.replace('_', ' ')}: the file says {_shown(stored[name])!r}, "
                f"its audit trail {_shown(pair[1])!r}"
            )
    return found


def check_stored_states(session: Session) -> None:
    """Raise ``ChangedOutsideRsdesk`` if a record to be updated or deleted was tampered with."""
    ids_by_table: dict[str, dict[int, Any]] = defaultdict(dict)
    # session.dirty is rebuilt on every access: read it once (10,000 rows made it quadratic).
    modified = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in [*modified, *session.deleted]:
        if not getattr(obj, "__audited__", False):
            continue
        state = inspect(obj)
        if state.key is None:
            continue
        record_id = state.identity[0] if state.identity else None
        if isinstance(record_id, int):
            ids_by_table[obj.__table__.name][record_id] = obj
    if not ids_by_table:
        return
    specs = auditlog.audited_specs()
    for table_name, objects in ids_by_table.items():
        spec = specs[table_name]
        table = Base.metadata.tables[table_name]
        ids = list(objects)
        rows = {
            row["id"]: dict(row)
            for row in session.connection()
            .execute(select(table).where(table.c.id.in_(ids)))
            .mappings()
        }
        latest = (
            select(func.max(AuditEntry.id))
            .where(AuditEntry.table_name == table_name, AuditEntry.record_id.in_(ids))
            .group_by(AuditEntry.record_id)
        )
        entries = session.connection().execute(
            select(
                AuditEntry.record_id,
                AuditEntry.action,
                AuditEntry.state_hash,
                AuditEntry.salts,
                AuditEntry.changes,
            ).where(AuditEntry.id.in_(latest))
        )
        for entry in entries:
            row = rows.get(entry.record_id)
            if row is None or entry.action == "delete":
                continue
            stored = {name: auditlog.canonical(row[name]) for name in spec.columns}
            digest = auditlog.state_digest(spec, stored, entry.salts, is_canonical=True)
            if digest != entry.state_hash:
                raise ChangedOutsideRsdesk(
                    _label(objects[entry.record_id], table_name, entry.record_id),
                    _differing_fields(spec, stored, entry.changes),
                )
