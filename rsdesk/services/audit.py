"""Reading and verifying the audit trail.

``verify`` walks the chain in order and then compares every audited table with the state its last
entry recorded, so that it catches an edited, deleted or reordered entry *and* a business row
changed behind rsdesk's back (for example with the sqlite3 shell).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    String,
    Text,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rsdesk.db import auditlog, undecodable
from rsdesk.models import AuditEntry, AuditHead, Base
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

_NULL_JSON = (None, "null")
#: What ``json.dumps``' default form puts after every key and canonical text never does (outside
#: a string value): text that contains it is not tried as canonical, it would only fail.
_SPACED = '": '
#: Rows per query; small enough that large JSON documents do not pile up in memory.
CHUNK = 2_000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries_checked: int
    records_checked: int
    latest_hash: str
    #: Id of the first bad entry, if the problem lies with an entry.
    bad_entry_id: int | None = None
    problem: str | None = None


def _changed_outside(
    checked: int,
    records_checked: int,
    latest_hash: str,
    entry_id: int,
    table_name: str,
    record_id: int,
    field: str | None,
) -> VerifyResult:
    """The verdict on a record whose stored state no longer matches its last entry."""
    return VerifyResult(
        False,
        checked,
        records_checked,
        latest_hash,
        entry_id,
        f"{table_name} {record_id} was changed outside rsdesk after entry {entry_id}"
        + (f" (field {field})" if field else ""),
    )


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
    """Checks the chain, then every audited record against its last entry.

    A SQLite value edited into bytes that are not UTF-8 makes the driver refuse the whole query;
    the check then runs again reading such text as it is, and names the record that holds it.
    The second pass is only taken on a damaged file, so an intact one costs nothing extra.
    """
    try:
        return _verify(session, progress, cancel)
    except OperationalError as error:
        if not undecodable.is_undecodable_text_error(error):
            raise
    with undecodable.undecodable_text_kept(session):
        return _verify(session, progress, cancel)


def _verify(session: Session, progress: Progress, cancel: CancelToken) -> VerifyResult:
    total = entry_count(session)
    specs = auditlog.audited_specs()
    # table -> record -> (last entry id, action, state hash, salts)
    last_state: dict[str, dict[int, tuple[int, str, str, dict[str, str] | None]]] = {}
    expected_prev = auditlog.GENESIS_HASH
    expected_id = 1
    checked = 0
    after = 0
    # JSON columns are read as text and decoded here (C speed, one document at a time), so that a
    # large log streams through in small chunks instead of sitting in memory as Python objects.
    columns = (
        AuditEntry.id,
        type_coerce(AuditEntry.at, Text),
        AuditEntry.actor,
        AuditEntry.table_name,
        AuditEntry.record_id,
        AuditEntry.action,
        type_coerce(AuditEntry.changes, Text),
        type_coerce(AuditEntry.salts, Text),
        type_coerce(AuditEntry.redacted, Text),
        AuditEntry.state_hash,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    )

    def fail(entry_id: int | None, problem: str) -> VerifyResult:
        return VerifyResult(False, checked, 0, expected_prev, entry_id, problem)

    encode = auditlog.encode_string
    sha256 = hashlib.sha256
    last_at: Any = object()
    last_at_json = ""

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
            changes_text,
            salts_text,
            redacted_text,
            state_hash,
            prev_hash,
            stored_hash,
        ) in rows:
            try:
                if entry_id != expected_id:
                    return fail(
                        entry_id,
                        f"entry {entry_id} follows entry {expected_id - 1}: "
                        "entries are missing or out of order",
                    )
                if prev_hash != expected_prev:
                    return fail(entry_id, f"entry {entry_id} does not link to the entry before it")
                if (
                    type(changes_text) is str
                    and salts_text in _NULL_JSON
                    and redacted_text in _NULL_JSON
                    and _SPACED not in changes_text
                ):
                    # The usual entry: no salts, nothing redacted, changes stored as the very text
                    # that was hashed (bulk writers store it so). Hashing the stored text is then the
                    # whole check; any other form of the same JSON takes the general path below.
                    if at != last_at:
                        last_at, last_at_json = at, encode(_timestamp_text(at))
                    header = (
                        f"[{entry_id},{last_at_json},{encode(actor)},"
                        f"{encode(table_name)},{record_id},{encode(action)},{encode(state_hash)}]"
                    )
                    if sha256(f"{prev_hash}\n{header}\n{changes_text}".encode()).hexdigest() == (
                        stored_hash
                    ):
                        records = last_state.get(table_name)
                        if records is None:
                            records = last_state[table_name] = {}
                        records[record_id] = (entry_id, action, state_hash, None)
                        expected_prev = stored_hash
                        expected_id += 1
                        checked += 1
                        continue
                changes = _json(changes_text) or {}
                salts = _json(salts_text)
                redacted = _json(redacted_text)
                if redacted:
                    for name in redacted:
                        if changes.get(name, [None, None]) != [None, None]:
                            return fail(
                                entry_id, f"entry {entry_id} keeps a redacted value of {name}"
                            )
                if salts or redacted:
                    form = auditlog.changes_for_hash(changes, salts, redacted)
                else:
                    form = {name: list(pair) for name, pair in changes.items()}
                at_text = _timestamp_text(at)
                digest = auditlog.entry_hash(
                    prev_hash,
                    entry_id,
                    at_text,
                    actor,
                    table_name,
                    record_id,
                    action,
                    form,
                    state_hash,
                )
                if digest != stored_hash:
                    return fail(
                        entry_id,
                        f"entry {entry_id} ({action} of {table_name} {record_id}) "
                        "was altered after it was written",
                    )
                records = last_state.get(table_name)
                if records is None:
                    records = last_state[table_name] = {}
                records[record_id] = (entry_id, action, state_hash, salts)
                expected_prev = stored_hash
                expected_id += 1
                checked += 1
            except ValueError:
                # Text that is not UTF-8, JSON that does not parse, a time that is not a
                # time: rsdesk writes none of these, so the entry was edited afterwards.
                return fail(
                    entry_id,
                    f"entry {entry_id} was altered after it was written "
                    "(it holds a value rsdesk cannot have written)",
                )
        after = rows[-1][0]
        progress(checked, total, "Checking the chain of entries")

    head = session.execute(select(AuditHead.last_entry_id, AuditHead.last_hash)).first()
    if head is not None and (head[0] != checked or head[1] != expected_prev):
        return fail(
            head[0] + 1 if head[0] >= checked else checked,
            f"the chain ends at entry {checked} but the log's head names entry {head[0]}: "
            "entries were removed from the end",
        )

    records_checked = 0
    dialect = session.get_bind().dialect.name
    tables = {t.name: t for t in Base.metadata.sorted_tables if t.name in specs}
    for table_name, spec in specs.items():
        table = tables[table_name]
        cancel.raise_if_cancelled()
        known_records = last_state.get(table_name, {})
        seen: set[int] = set()
        readers = [_reader(table.c[name]) for name in spec.columns]
        selected = [
            _as_text(table.c[name], dialect) if reader is not None else table.c[name]
            for name, reader in zip(spec.columns, readers)
        ]
        query = select(table.c.id, *selected).order_by(table.c.id)
        canonical = auditlog.canonical
        # The state text assembled column by column in key order, as state_digest writes it. A
        # JSON column's stored text goes in as it is when it is the canonical text already (bulk
        # writers store it so); otherwise the hash differs and the row takes the general path.
        plan = sorted(
            (
                name,
                auditlog.encode_string(name),
                index,
                reader,
                reader is _canonical_json and name not in spec.personal,
                name in spec.personal,
            )
            for index, (name, reader) in enumerate(zip(spec.columns, readers), 1)
        )
        for row in session.execute(query).yield_per(CHUNK):
            record_id = row[0]
            seen.add(record_id)
            records_checked += 1
            known = known_records.get(record_id)
            if known is None:
                return VerifyResult(
                    False,
                    checked,
                    records_checked,
                    expected_prev,
                    None,
                    f"{table_name} {record_id} has no audit entry: it was added outside rsdesk",
                )
            entry_id, action, state_hash, salts = known
            if action == "delete":
                return VerifyResult(
                    False,
                    checked,
                    records_checked,
                    expected_prev,
                    entry_id,
                    f"{table_name} {record_id} exists although entry {entry_id} deleted it",
                )
            try:
                parts = []
                for name, key, index, reader, raw_json, personal in plan:
                    value = row[index]
                    if raw_json and type(value) is str and _SPACED not in value:
                        parts.append(key + ":" + value)
                        continue
                    value = canonical(value) if reader is None else reader(value)
                    if personal and salts:
                        salted = sha256((salts[name] + _value_text(value)).encode()).hexdigest()
                        parts.append(key + ':"' + salted + '"')
                    else:
                        parts.append(key + ":" + _value_text(value))
                if sha256(("{" + ",".join(parts) + "}").encode()).hexdigest() == state_hash:
                    continue
                state = {
                    name: canonical(value) if reader is None else reader(value)
                    for name, reader, value in zip(spec.columns, readers, row[1:])
                }
                if auditlog.state_digest(spec, state, salts, is_canonical=True) != state_hash:
                    field = _first_differing_field(session, spec, record_id, state)
                    return _changed_outside(
                        checked,
                        records_checked,
                        expected_prev,
                        entry_id,
                        table_name,
                        record_id,
                        field,
                    )
            except ValueError:
                # A value rsdesk cannot have written (text that is not UTF-8, a date that is
                # not a date): the row was edited outside rsdesk.
                field = _unreadable_field(spec, readers, row)
                return _changed_outside(
                    checked, records_checked, expected_prev, entry_id, table_name, record_id, field
                )
        for record_id, (entry_id, action, _, _) in known_records.items():
            if action != "delete" and record_id not in seen:
                return VerifyResult(
                    False,
                    checked,
                    records_checked,
                    expected_prev,
                    entry_id,
                    f"{table_name} {record_id} was deleted outside rsdesk (last entry {entry_id})",
                )
        progress(checked, total, f"Compared {table_name}")
    return VerifyResult(True, checked, records_checked, expected_prev)


def record_matches_trail(session: Session, table_name: str, record_id: int) -> bool:
    """Whether one record still has the state its last audit entry recorded.

    ``verify`` checks every record this way; a reader about to hand out one record as evidence
    (an archived report) checks just that one. A record with no entry, or one whose stored text
    rsdesk cannot have written, does not match. The chain itself is not walked here.
    """
    spec = auditlog.audited_specs()[table_name]
    table = Base.metadata.tables[table_name]
    last = session.execute(
        select(AuditEntry.action, AuditEntry.state_hash, AuditEntry.salts)
        .where(AuditEntry.table_name == table_name, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if last is None or last.action == "delete":
        return False
    dialect = session.get_bind().dialect.name
    readers = [_reader(table.c[name]) for name in spec.columns]
    query = select(
        *(
            _as_text(table.c[name], dialect) if reader is not None else table.c[name]
            for name, reader in zip(spec.columns, readers)
        )
    ).where(table.c.id == record_id)
    try:
        try:
            row = session.execute(query).first()
        except OperationalError as error:
            if not undecodable.is_undecodable_text_error(error):
                raise
            return False
        if row is None:
            return False
        state = {
            name: auditlog.canonical(value) if reader is None else reader(value)
            for name, reader, value in zip(spec.columns, readers, row)
        }
        digest = auditlog.state_digest(spec, state, last.salts, is_canonical=True)
    except ValueError:  # a value rsdesk cannot have written
        return False
    return digest == last.state_hash


def _value_text(value: Any) -> str:
    """``auditlog.dumps(value)`` for a canonical value, the common kinds without the encoder."""
    cls = type(value)
    if cls is str:
        return auditlog.encode_string(value)  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return int.__repr__(value)
    return auditlog.dumps(value)


def _as_text(column: Any, dialect: str) -> Any:
    """The column's stored text. PostgreSQL's driver decodes a json column even when told it is
    text, which turns a JSON string value into a bare string: there it is cast to text."""
    if dialect == "postgresql" and isinstance(column.type, JSON):
        return cast(column, Text)
    return type_coerce(column, Text)


def _reader(column: Any) -> Any:
    """How to turn a column read as text into its canonical value (None: read it normally).

    Reading JSON, dates, timestamps and enum text directly skips SQLAlchemy's conversions to
    Python objects that ``canonical`` would only turn back into the same text. Booleans and
    numbers are read normally (their canonical forms are not their stored text).
    """
    kind = column.type
    if isinstance(kind, JSON):
        return _canonical_json
    if isinstance(kind, DateTime):
        return _timestamp_text
    if isinstance(kind, Date):
        return _date_text
    if isinstance(kind, Enum | String) and not isinstance(kind, Boolean):
        return _text
    return None


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else auditlog.canonical(value)


def _date_text(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 10:
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]).isoformat()
    return auditlog.canonical(value)


def _timestamp_text(value: Any) -> Any:
    """SQLite's stored ``YYYY-MM-DD HH:MM:SS.ffffff`` as ``canonical`` writes a datetime."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(microsecond=0).isoformat()
    return auditlog.canonical(value)


def _json(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded by the driver (PostgreSQL)."""
    if isinstance(value, str):
        return json.loads(value)
    return value


def _canonical_float(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _canonical_json(value: Any) -> Any:
    """``canonical(json.loads(text))`` in one C-speed pass: floats are normalised while parsing."""
    if isinstance(value, str):
        return json.loads(value, parse_float=_canonical_float)
    return auditlog.canonical(value)


def _unreadable_field(spec: auditlog.AuditSpec, readers: list[Any], row: Any) -> str | None:
    """The first column of ``row`` holding a value rsdesk cannot have written (diagnosis only)."""
    for name, reader, value in zip(spec.columns, readers, row[1:]):
        if undecodable.is_undecodable(value):
            return name
        try:
            _value_text(auditlog.canonical(value) if reader is None else reader(value)).encode()
        except ValueError:
            return name
    return None


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
