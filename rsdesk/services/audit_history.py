"""A record's audit trail in words, for the editors' History tabs.

The audit log stores column names and canonical values (``lead_staff_id: 15``,
``status: "approved"``), which is what its hash chain and internal audit need. An officer reading
a record's history wants "Lead staff: — → Ada Lovelace" and "Status: Draft → Approved". This module
turns the one into the other; the raw values stay on each change for anyone who needs them.

Labels come from the register that shows the table (its column labels), else from the column name
in words (``labels.field_label``). A reference reads as the current name of the record it points
to, so a person anonymised since reads as their pseudonym, never as the name they had.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Enum, LargeBinary, Table, select
from sqlalchemy import Column as TableColumn
from sqlalchemy.orm import Session

from rsdesk.models import AuditEntry, Base
from rsdesk.services import audit, registers
from rsdesk.services.errors import NotFoundError
from rsdesk.services.registers.labels import enum_label, field_label

#: What an empty value reads as.
EMPTY = "—"
#: Columns naming a record, in order of preference, when another record points to it.
_NAME_COLUMNS = ("full_name", "name", "title", "file_name")
_ACTIONS = {
    "insert": "created",
    "update": "changed",
    "delete": "removed",
    "anonymise": "anonymised",
}
_LINK_ACTIONS = {"insert": "added", "delete": "removed"}


@dataclass(frozen=True)
class ReadableChange:
    #: The stored column name and values, as the audit log keeps them.
    field: str
    old_value: Any
    new_value: Any
    #: The same in words.
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ReadableEntry:
    entry_id: int
    at: dt.datetime
    actor: str
    action: str
    #: What the entry is about, as the caller named it ("Collaboration", "Attachment x.pdf").
    subject: str
    changes: tuple[ReadableChange, ...]
    #: A link between records (a partner or technology area of a collaboration): its insert and
    #: delete read as "added" and "removed".
    link: bool = False

    def change(self, field: str) -> ReadableChange | None:
        return next((c for c in self.changes if c.field == field), None)

    @property
    def what(self) -> str:
        """The action in words; archiving and restoring are named, not shown as a change."""
        archived = self.change("archived")
        if self.action == "update" and archived is not None and len(self.changes) == 1:
            return "archived" if archived.new_value else "restored from archive"
        if self.link and self.action in _LINK_ACTIONS:
            return _LINK_ACTIONS[self.action]
        return _ACTIONS.get(self.action, self.action)


@cache
def field_labels(table_name: str) -> dict[str, str]:
    """Column name -> label for an audited table: the register's column label where a register
    shows the column itself, else the name in words ("lead_staff_id" -> "Lead staff")."""
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return {}
    labels = {str(c.name): field_label(str(c.name)) for c in table.columns}
    for name in registers.names():
        spec = registers.get(name)
        if spec.audit_table != table_name:
            continue
        for column in spec.columns:
            stored = getattr(column.expr, "expression", None)
            owner = getattr(stored, "table", None)
            if isinstance(owner, Table) and owner.name == table_name and stored is not None:
                labels[str(stored.name)] = column.label
    return labels


def readable_history(
    session: Session, table_name: str, record_id: int, subject: str = ""
) -> list[ReadableEntry]:
    """The record's audit entries, oldest first, with labels and values in words."""
    return describe(session, table_name, audit.history(session, table_name, record_id), subject)


def link_history(
    session: Session, table_name: str, parent_column: str, parent_id: int, noun: str
) -> list[ReadableEntry]:
    """The history of the links from one record (``parent_column = parent_id``) in a link
    table, removed links included: "Partner Acme: added", "Technology area Quantum: removed".

    Links still there are found in the table; removed ones only in the audit log, by the parent
    named in their delete entries (a scan of that table's deletes, which are few).
    """
    table = Base.metadata.tables[table_name]
    record_ids = set(session.scalars(select(table.c.id).where(table.c[parent_column] == parent_id)))
    parent = AuditEntry.changes[(parent_column, 0)].as_integer()
    record_ids.update(
        session.scalars(
            select(AuditEntry.record_id).where(
                AuditEntry.table_name == table_name,
                AuditEntry.action == "delete",
                parent == parent_id,
            )
        )
    )
    items = [
        item
        for record_id in sorted(record_ids)
        for item in audit.history(session, table_name, record_id)
    ]
    entries = []
    for entry in describe(session, table_name, items):
        # The parent is the record whose history this is: naming it on every line is noise.
        changes = tuple(c for c in entry.changes if c.field != parent_column)
        linked = next((c for c in changes if _target_of(table_name, c.field) is not None), None)
        name = "" if linked is None else (linked.new if linked.new != EMPTY else linked.old)
        subject = f"{noun} {name}".strip()
        entries.append(
            replace(
                entry,
                subject=subject,
                link=True,
                changes=tuple(c for c in changes if c is not linked or entry.action == "update"),
            )
        )
    return entries


def _target_of(table_name: str, column_name: str) -> TableColumn[Any] | None:
    table = Base.metadata.tables.get(table_name)
    if table is None or column_name not in table.c:
        return None
    return _target(table.c[column_name])


def describe(
    session: Session, table_name: str, items: Sequence[audit.HistoryItem], subject: str = ""
) -> list[ReadableEntry]:
    """Entries of one table in words; the references of all of them are looked up together."""
    table = Base.metadata.tables.get(table_name)
    columns: Mapping[str, TableColumn[Any]] = (
        {str(c.name): c for c in table.columns} if table is not None else {}
    )
    labels = field_labels(table_name)
    names = _reference_names(session, columns, items)
    entries = []
    for item in items:
        changes = tuple(
            ReadableChange(
                name,
                old,
                new,
                labels.get(name, field_label(name)),
                _value(columns.get(name), old, names),
                _value(columns.get(name), new, names),
            )
            for name, old, new in item.changes
            # A new record is not archived: saying so on every "created" entry is noise.
            if not (item.action == "insert" and name == "archived" and not new)
        )
        entries.append(
            ReadableEntry(item.entry_id, item.at, item.actor, item.action, subject, changes)
        )
    return entries


def _target(column: TableColumn[Any]) -> TableColumn[Any] | None:
    """The column a foreign key points to, or None."""
    for key in column.foreign_keys:
        target: TableColumn[Any] = key.column
        return target
    return None


def _reference_names(
    session: Session,
    columns: Mapping[str, TableColumn[Any]],
    items: Iterable[audit.HistoryItem],
) -> dict[tuple[str, str], dict[Any, str]]:
    """(table, column) -> {key: name} for every record the entries point to."""
    wanted: dict[TableColumn[Any], set[Any]] = {}
    for item in items:
        for name, old, new in item.changes:
            column = columns.get(name)
            target = _target(column) if column is not None else None
            if target is not None:
                wanted.setdefault(target, set()).update(v for v in (old, new) if v is not None)
    found: dict[tuple[str, str], dict[Any, str]] = {}
    for target, keys in wanted.items():
        found[(target.table.name, str(target.name))] = _names(session, target, keys)
    return found


def _names(session: Session, target: TableColumn[Any], keys: set[Any]) -> dict[Any, str]:
    table = target.table
    present = {str(c.name) for c in table.columns}
    if "reference" in present and "title" in present:
        shown = [table.c.reference, table.c.title]
    else:
        shown = [table.c[name] for name in _NAME_COLUMNS if name in present][:1]
    rows = session.execute(select(target, *shown).where(target.in_(sorted(keys))))
    # A record without a name (an appraisal) reads as its kind and number: "Appraisal 3".
    fallback = enum_label(str(table.name))
    return {
        row[0]: " ".join(str(part) for part in row[1:] if part not in (None, ""))
        or f"{fallback} {row[0]}"
        for row in rows
    }


def _value(
    column: TableColumn[Any] | None, value: Any, names: Mapping[tuple[str, str], Mapping[Any, str]]
) -> str:
    if value is None or value == "":
        return EMPTY
    if column is None:
        return _plain(value)
    target = _target(column)
    if target is not None:
        name = names.get((target.table.name, str(target.name)), {}).get(value)
        if name:
            return name
        return f"{enum_label(target.table.name)} {value} (no longer exists)"
    kind = column.type
    if isinstance(kind, Boolean):
        return "Yes" if value else "No"
    if isinstance(kind, Enum):
        return enum_label(value)
    if isinstance(kind, DateTime):
        return str(value).replace("T", " ")[:16]
    if isinstance(kind, Date):
        return str(value)[:10]
    if isinstance(kind, LargeBinary):
        return "file content"
    if str(column.name).endswith("_eur") and isinstance(value, int | float):
        return f"{value:,.0f}"
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def entry_changes(session: Session, entry_id: int) -> dict[str, list[Any]]:
    """One audit entry's changed fields for the audit-log view: the stored names and values, but
    the pseudonym secret redacted, as every export does (its one purpose is to stay unknown)."""
    from rsdesk.services.reports.xlsx.audit_privacy import AuditChangesCleaner

    entry = session.get(AuditEntry, entry_id)
    if entry is None:
        raise NotFoundError(f"Audit entry {entry_id} does not exist")
    changes = AuditChangesCleaner(session)(entry.table_name, entry.record_id, entry.changes)
    return dict(changes or {})


#: The screening result's fields a verdict entry shows, in this order; the rest (fingerprints,
#: matched names, list ids) is the hit itself, which the Screening tab shows.
_VERDICT_FIELDS = ("verdict", "verdict_note", "decided_by", "decided_at")


def partner_history(session: Session, partner_id: int) -> list[ReadableEntry]:
    """A partner's history as an auditor reads it, oldest first: the partner's own changes, its
    other names added, changed and removed (their own table), and the verdicts on its screening
    hits (who, when, what, and the note), carried-over verdicts included."""
    entries = readable_history(session, "partner", partner_id, "Partner")
    for entry in link_history(session, "partner_name", "partner_id", partner_id, "Other name"):
        name = entry.change("name")
        shown = "" if name is None else (name.new if name.new != EMPTY else name.old)
        entries.append(replace(entry, subject=f"Other name {shown}".strip()))
    entries += _verdict_history(session, partner_id)
    return sorted(entries, key=lambda e: (e.at, e.entry_id))


def _verdict_history(session: Session, partner_id: int) -> list[ReadableEntry]:
    from rsdesk.models import ScreeningList, ScreeningResult

    hits = {
        row.id: f"{row.entry_name} ({row.list_name} v{row.version_no})"
        for row in session.execute(
            select(
                ScreeningResult.id,
                ScreeningResult.entry_name,
                ScreeningList.name.label("list_name"),
                ScreeningList.version_no,
            )
            .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
            .where(ScreeningResult.partner_id == partner_id)
        )
    }
    found = [
        (result_id, item)
        for result_id in sorted(hits)
        for item in audit.history(session, "screening_result", result_id)
        if _is_verdict(item)
    ]
    items = [item for _, item in found]
    entries = []
    described = describe(session, "screening_result", items)
    for (result_id, _), entry in zip(found, described, strict=True):
        changes = sorted(
            (c for c in entry.changes if c.field in _VERDICT_FIELDS),
            key=lambda c: _VERDICT_FIELDS.index(c.field),
        )
        subject = hits[result_id]
        note = entry.change("verdict_note")
        carried = entry.action == "insert" and note is not None and "Carried over" in note.new
        action = "verdict carried over" if carried else "verdict"
        entries.append(replace(entry, subject=subject, action=action, changes=tuple(changes)))
    return entries


def _is_verdict(item: audit.HistoryItem) -> bool:
    """An officer's verdict (or its reopening), or a verdict carried into a new list version;
    not a new pending hit."""
    verdict = next((new for name, _old, new in item.changes if name == "verdict"), None)
    if item.action == "update":
        return any(name == "verdict" for name, _old, _new in item.changes)
    return item.action == "insert" and verdict not in (None, "pending")
