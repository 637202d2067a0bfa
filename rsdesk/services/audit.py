"""Reading and verifying the audit trail.

``verify`` walks the chain in order and then compares every audited table with the state its last
entry recorded, so that it catches an edited, deleted or reordered entry *and* a business row
changed behind rsdesk's back (for example with the sqlite3 shell).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.models import AuditEntry, AuditHead, Base
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

CHUNK = 20_000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    records_checked: int
    latest_hash: str
    #: Id of the first bad entry, if the problem lies with an entry.
    bad_entry_id: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class HistoryItem:
    entry_id: int
    at: dt.datetime
    actor: str
    action: str
    #: (field, old, new) triples, personal values that were anonymised shown as None.
    changes: tuple[tuple[str, Any, Any], ...]


def latest_hash(session: Session) -> str:
    head = session.scalar(select(AuditHead.last_hash).where(AuditHead.id == 1))
    return head or auditlog.GENESIS_HASH


def entry_count(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return session.scalar(query) or 0


def history(session: Session, table_name: str, record_id: int) -> list[HistoryItem]:
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.table_name == table_name, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id)
    )
    items = []
    for entry in rows:
        changes = tuple((name, pair[0], pair[1]) for name, pair in sorted(entry.changes.items()))
        items.append(HistoryItem(entry.id, entry.at, entry.actor, entry.action, changes))
    return items


def verify(
    session: Session, progress: Progress = no_progress, cancel: CancelToken = NEVER_CANCELLED
) -> VerifyResult:
    total = entry_count(session)
    specs = auditlog.audited_specs()
    # (table, record) -> (last entry id, action, state hash, salts)
    last_state: dict[tuple[str, int], tuple[int, str, str, dict[str, str] | None]] = {}
    expected_prev = auditlog.GENESIS_HASH
    expected_id = 1
    checked = 0
    after = 0
    columns = (
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor,
        AuditEntry.table_name,
        AuditEntry.record_id,
        AuditEntry.action,
        AuditEntry.changes,
        AuditEntry.salts,
        AuditEntry.redacted,
        AuditEntry.state_hash,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    )

    def fail(entry_id: int | None, problem: str) -> VerifyResult:
        return VerifyResult(False, checked, 0, expected_prev, entry_id, problem)

    while True:
        rows = session.execute(
            select(*columns).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(CHUNK)
        ).all()
        if not rows:
            break
        cancel.raise_if_cancelled()
        for (
            entry_id,
            at,
            actor,
            table_name,
            record_id,
            action,
            changes,
            salts,
            redacted,
            state_hash,
            prev_hash,
            stored_hash,
        ) in rows:
            if entry_id != expected_id:
                return fail(
                    entry_id,
                    f"entry {entry_id} follows entry {expected_id - 1}: "
                    "entries are missing or out of order",
                )
            if prev_hash != expected_prev:
                return fail(entry_id, f"entry {entry_id} does not link to the entry before it")
            if redacted:
                for name in redacted:
                    if changes.get(name, [None, None]) != [None, None]:
                        return fail(entry_id, f"entry {entry_id} keeps a redacted value of {name}")
            form = auditlog.changes_for_hash(changes, salts, redacted)
            at_text = auditlog.canonical(at)
            digest = auditlog.entry_hash(
                prev_hash, entry_id, at_text, actor, table_name, record_id, action, form, state_hash
            )
            if digest != stored_hash:
                return fail(
                    entry_id,
                    f"entry {entry_id} ({action} of {table_name} {record_id}) "
                    "was altered after it was written",
                )
            last_state[(table_name, record_id)] = (entry_id, action, state_hash, salts)
            expected_prev = stored_hash
            expected_id += 1
            checked += 1
        after = rows[-1][0]
        progress(checked, total, "Checking the chain of entries")

    head = session.execute(select(AuditHead.last_entry_id, AuditHead.last_hash)).first()
    if head is not None and (head[0] != checked or head[1] != expected_prev):
        return fail(
            head[0] + 1 if head[0] >= checked else checked,
            f"the chain ends at entry {checked} but the log's head names entry {head[0]}: "
            "entries were removed from the end",
        )

    records = 0
    tables = {t.name: t for t in Base.metadata.sorted_tables if t.name in specs}
    for table_name, spec in specs.items():
        table = tables[table_name]
        cancel.raise_if_cancelled()
        seen: set[int] = set()
        query = select(table.c.id, *(table.c[name] for name in spec.columns)).order_by(table.c.id)
        for row in session.execute(query).yield_per(CHUNK):
            record_id = row[0]
            seen.add(record_id)
            records += 1
            known = last_state.get((table_name, record_id))
            if known is None:
                return VerifyResult(
                    False,
                    checked,
                    records,
                    expected_prev,
                    None,
                    f"{table_name} {record_id} has no audit entry: it was added outside rsdesk",
                )
            entry_id, action, state_hash, salts = known
            if action == "delete":
                return VerifyResult(
                    False,
                    checked,
                    records,
                    expected_prev,
                    entry_id,
                    f"{table_name} {record_id} exists although entry {entry_id} deleted it",
                )
            state = dict(zip(spec.columns, row[1:]))
            if auditlog.state_digest(spec, state, salts) != state_hash:
                field = _first_differing_field(session, spec, record_id, state)
                return VerifyResult(
                    False,
                    checked,
                    records,
                    expected_prev,
                    entry_id,
                    f"{table_name} {record_id} was changed outside rsdesk after "
                    f"entry {entry_id}" + (f" (field {field})" if field else ""),
                )
        for (name, record_id), (entry_id, action, _, _) in last_state.items():
            if name == table_name and action != "delete" and record_id not in seen:
                return VerifyResult(
                    False,
                    checked,
                    records,
                    expected_prev,
                    entry_id,
                    f"{table_name} {record_id} was deleted outside rsdesk (last entry {entry_id})",
                )
        progress(checked, total, f"Compared {table_name}")
    return VerifyResult(True, checked, records, expected_prev)


def _first_differing_field(
    session: Session, spec: auditlog.AuditSpec, record_id: int, state: dict[str, Any]
) -> str | None:
    """Replays the record's entries to name the field that no longer matches (diagnosis only)."""
    replayed: dict[str, Any] = {}
    for entry in session.scalars(
        select(AuditEntry)
        .where(AuditEntry.table_name == spec.table_name, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id)
    ):
        if entry.action == "insert":
            replayed = {name: None for name in spec.columns}
        for name, pair in entry.changes.items():
            replayed[name] = pair[1]
    for name in spec.columns:
        if auditlog.canonical(state.get(name)) != replayed.get(name):
            return name
    return None
