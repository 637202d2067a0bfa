"""Writing the hash-chained audit log. Used by the ORM hook and by bulk writers alike.

An entry records one insert, update or delete of one business record:
``changes`` is ``{field: [old, new]}`` in canonical JSON form; ``state_hash`` is a digest of the
record's full state *after* the change, so that ``audit verify`` can compare the live row to its
last entry without replaying history; ``hash`` chains the entry to the previous one.

Personal fields (``__personal_fields__`` of a model) are hashed with a random salt kept in the
entry: anonymisation can then remove the value and the salt while the chain still verifies, and
nobody can recover the name by guessing against a digest.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from rsdesk.db.bulk import Encoded, bulk_insert, insert_tuples, is_fast, stored_values
from rsdesk.models.audit import AuditEntry, AuditHead
from rsdesk.models.base import Base
from rsdesk.services.errors import KnownError

GENESIS_HASH = "0" * 64
#: Columns that are bookkeeping, not content: the audit entry's own time stands for them.
UNAUDITED_COLUMNS = frozenset({"id", "created_at", "updated_at", "row_version"})


def canonical(value: Any) -> Any:
    """A JSON-ready value that compares equal however it was read (ORM, Core, either engine)."""
    # Fast paths for the exact built-in types (most values; bulk writers call this a lot).
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if cls is dict:
        return {
            (key if type(key) is str else str(key)): canonical(item) for key, item in value.items()
        }
    if cls is list or cls is tuple:
        return [canonical(item) for item in value]
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, Mapping):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def salted_digest(salt: str, value: Any) -> str:
    return hashlib.sha256((salt + dumps(value)).encode()).hexdigest()


@dataclass(frozen=True)
class AuditSpec:
    """What the audit log needs to know about one audited table."""

    table_name: str
    columns: tuple[str, ...]
    personal: frozenset[str]


_SPECS: dict[str, AuditSpec] = {}


def audited_specs() -> dict[str, AuditSpec]:
    """Every audited table by name, built from the models' ``__audited__`` flags."""
    if not _SPECS:
        for mapper in Base.registry.mappers:
            cls = mapper.class_
            if not getattr(cls, "__audited__", False):
                continue
            table = mapper.local_table
            assert isinstance(table, Table)
            columns = tuple(str(c.name) for c in table.columns if c.name not in UNAUDITED_COLUMNS)
            # Plain strs, not SQLAlchemy's quoted_name: they go into every entry as parameters.
            name = str(table.name)
            _SPECS[name] = AuditSpec(
                name, columns, frozenset(getattr(cls, "__personal_fields__", ()))
            )
    return _SPECS


def state_digest(
    spec: AuditSpec,
    state: Mapping[str, Any],
    salts: Mapping[str, str] | None,
    *,
    is_canonical: bool = False,
) -> str:
    """Digest of a record's canonical state; personal fields enter only as salted digests.

    ``is_canonical`` skips re-canonicalising values that already are (a PendingEntry's state).
    """
    form = {}
    for name in spec.columns:
        value = state.get(name) if is_canonical else canonical(state.get(name))
        if name in spec.personal and salts:
            value = salted_digest(salts[name], value)
        form[name] = value
    return hashlib.sha256(dumps(form).encode()).hexdigest()


def changes_for_hash(
    changes: Mapping[str, Sequence[Any]],
    salts: Mapping[str, str] | None,
    redacted: Mapping[str, Sequence[str]] | None,
) -> dict[str, Any]:
    """The form of ``changes`` that enters the entry hash."""
    form: dict[str, Any] = {}
    for name, pair in changes.items():
        if redacted and name in redacted:
            form[name] = list(redacted[name])
        elif salts and name in salts:
            form[name] = [salted_digest(salts[name], pair[0]), salted_digest(salts[name], pair[1])]
        else:
            form[name] = list(pair)
    return form


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: str,
    actor: str,
    table_name: str,
    record_id: int,
    action: str,
    changes_form: Mapping[str, Any],
    state_hash: str,
) -> str:
    header = dumps([entry_id, at, actor, table_name, record_id, action, state_hash])
    body = dumps(changes_form)
    return hashlib.sha256(f"{prev_hash}\n{header}\n{body}".encode()).hexdigest()


@dataclass
class PendingEntry:
    """One change waiting to be chained; values already canonical."""

    table_name: str
    record_id: int
    action: str
    changes: dict[str, list[Any]]
    state: dict[str, Any]
    salts: dict[str, str] | None = field(default=None)


def new_salts(spec: AuditSpec) -> dict[str, str] | None:
    if not spec.personal:
        return None
    return {name: secrets.token_hex(8) for name in sorted(spec.personal)}


def insert_entry(spec: AuditSpec, record_id: int, row: Mapping[str, Any]) -> PendingEntry:
    state = {name: canonical(row.get(name)) for name in spec.columns}
    changes = {name: [None, value] for name, value in state.items() if value is not None}
    return PendingEntry(spec.table_name, record_id, "insert", changes, state, new_salts(spec))


class TextCache:
    """JSON texts of canonical values, as ``dumps`` writes them, each container encoded once.

    Bulk writers hand in many entries that share large values (the same JSON document in a row's
    state and in its changes, or one document in many rows); encoding it once per call and
    assembling the hashed forms from the pieces gives byte-for-byte the text that
    ``state_digest`` and ``entry_hash`` hash, at a fraction of the cost.
    """

    def __init__(self) -> None:
        # id -> (value, text): the value is kept so that its id cannot be reused during the call.
        self._containers: dict[int, tuple[Any, str]] = {}
        self._keys: dict[str, str] = {}
        self._stored: dict[int, tuple[Any, str]] = {}

    def value(self, value: Any) -> str:
        cls = type(value)
        if value is None:
            return "null"
        if cls is str:
            return _encode_string(value)
        if cls is bool:
            return "true" if value else "false"
        if cls is int:
            return int.__repr__(value)
        if cls is dict or cls is list:
            hit = self._containers.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = dumps(value)
            self._containers[id(value)] = (value, text)
            return text
        if cls is Encoded:
            return str(value)
        return dumps(value)

    def entry(self, spec: AuditSpec, entry: PendingEntry, stored: bool) -> tuple[str, str, str]:
        """State hash, hashed changes text and (if ``stored``) the changes column's text.

        One pass that encodes each value once: the same results as :meth:`state_digest`,
        :meth:`changes_body` and :meth:`stored`, which stay as the readable reference.
        """
        state, salts, changes = entry.state, entry.salts, entry.changes
        personal = spec.personal if salts else frozenset()
        value_text = self.value
        texts: dict[str, str] = {}
        parts = []
        # An insert's changes are [None, value] for each non-null column: its body is built in
        # the same pass (falls back to the general loop below for anything else).
        body_parts = []
        matched = 0
        for name, key in _sorted_columns(spec):
            value = state.get(name)
            if name in personal:
                text = '"' + self.salted(salts[name], value) + '"'  # type: ignore[index]
                pair_text = None
            else:
                cls = type(value)
                if value is None:
                    text = "null"
                elif cls is str:
                    text = _encode_string(value)
                elif cls is int:
                    text = int.__repr__(value)
                else:
                    text = value_text(value)
                texts[name] = text
                pair_text = "null," + text
            parts.append(key + ":" + text)
            pair = changes.get(name)
            if pair is not None and len(pair) == 2 and pair[0] is None and pair[1] is value:
                matched += 1
                if pair_text is None:
                    pair_text = '"' + self.salted(salts[name], None) + '",' + text  # type: ignore[index]
                body_parts.append(key + ":[" + pair_text + "]")
        state_hash = hashlib.sha256(("{" + ",".join(parts) + "}").encode()).hexdigest()
        if matched == len(changes):
            body = "{" + ",".join(body_parts) + "}"
        else:
            body = self._body(changes, state, texts, personal, salts)
        if not stored:
            return state_hash, body, ""
        return state_hash, body, self._stored_text(changes, state, texts)

    def _body(
        self,
        changes: Mapping[str, Sequence[Any]],
        state: Mapping[str, Any],
        texts: dict[str, str],
        personal: frozenset[str],
        salts: Mapping[str, str] | None,
    ) -> str:
        value_text = self.value
        key_text = self.key
        parts = []
        for name in sorted(changes):
            pair = changes[name]
            if name in personal:
                items = ['"' + self.salted(salts[name], item) + '"' for item in pair]  # type: ignore[index]
            else:
                current = state.get(name)
                items = [
                    "null" if item is None else texts[name] if item is current else value_text(item)
                    for item in pair
                ]
            parts.append(key_text(name) + ":[" + ",".join(items) + "]")
        return "{" + ",".join(parts) + "}"

    def _stored_text(
        self, changes: Mapping[str, Sequence[Any]], state: Mapping[str, Any], texts: dict[str, str]
    ) -> str:
        key_text = self.key
        parts = []
        for name, pair in changes.items():
            current = state.get(name)
            items = []
            for item in pair:
                cls = type(item)
                if item is None:
                    items.append("null")
                elif (
                    item is current
                    and name in texts
                    and (cls is int or cls is bool or (cls is str and _ascii_text(item)))
                ):
                    items.append(texts[name])  # the same text under both encodings
                else:
                    items.append(self._stored_value(item))
            parts.append(key_text(name) + ": [" + ", ".join(items) + "]")
        return "{" + ", ".join(parts) + "}"

    def stored(self, changes: Mapping[str, Sequence[Any]]) -> str:
        """``changes`` serialised as the JSON column stores it (``json.dumps`` defaults)."""
        parts = []
        for name, pair in changes.items():
            items = ", ".join(self._stored_value(item) for item in pair)
            parts.append(json.dumps(name) + ": [" + items + "]")
        return "{" + ", ".join(parts) + "}"

    def _stored_value(self, value: Any) -> str:
        cls = type(value)
        if cls is dict or cls is list:
            hit = self._stored.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = json.dumps(value)
            self._stored[id(value)] = (value, text)
            return text
        return json.dumps(value)

    def key(self, name: str) -> str:
        text = self._keys.get(name)
        if text is None:
            text = self._keys[name] = _encode_string(name)
        return text

    def state_digest(self, spec: AuditSpec, entry: PendingEntry) -> str:
        """``state_digest(spec, entry.state, entry.salts)`` for an entry's canonical state."""
        state, salts = entry.state, entry.salts
        parts = []
        for name, _ in _sorted_columns(spec):
            value = state.get(name)
            if name in spec.personal and salts:
                text = '"' + self.salted(salts[name], value) + '"'
            else:
                text = self.value(value)
            parts.append(self.key(name) + ":" + text)
        return hashlib.sha256(("{" + ",".join(parts) + "}").encode()).hexdigest()

    def changes_body(self, entry: PendingEntry) -> str:
        """``dumps(changes_for_hash(entry.changes, entry.salts, None))``."""
        salts = entry.salts
        parts = []
        for name in sorted(entry.changes):
            pair = entry.changes[name]
            if salts and name in salts:
                items = ['"' + self.salted(salts[name], item) + '"' for item in pair]
            else:
                items = [self.value(item) for item in pair]
            parts.append(self.key(name) + ":[" + ",".join(items) + "]")
        return "{" + ",".join(parts) + "}"

    def salted(self, salt: str, value: Any) -> str:
        return hashlib.sha256((salt + self.value(value)).encode()).hexdigest()


def _ascii_text(text: Any) -> bool:
    """Whether ``text`` encodes the same with and without ``ensure_ascii``."""
    return text.isascii() and "\x7f" not in text


_encode_string: Any = json.encoder.encode_basestring  # type: ignore[attr-defined]
#: A string as ``dumps`` writes it (JSON-quoted, non-ASCII kept).
encode_string: Any = _encode_string
#: id(spec) -> (spec, its columns sorted as JSON keys are, with their encoded key texts).
_SORTED_COLUMNS: dict[int, tuple[AuditSpec, tuple[tuple[str, str], ...]]] = {}


def _sorted_columns(spec: AuditSpec) -> tuple[tuple[str, str], ...]:
    """``(name, '"name"')`` for every column of ``spec`` in key order (cached per spec)."""
    hit = _SORTED_COLUMNS.get(id(spec))
    if hit is None or hit[0] is not spec:
        columns = tuple((name, _encode_string(name)) for name in sorted(spec.columns))
        hit = _SORTED_COLUMNS[id(spec)] = (spec, columns)
    return hit[1]


def append_entries(
    connection: Connection,
    actor: str,
    entries: Iterable[PendingEntry],
    at: dt.datetime | None = None,
    batch_size: int = 5000,
    texts: TextCache | None = None,
) -> int:
    """Chain and insert entries after the current head, in the caller's transaction.

    A bulk writer calling this many times may pass one ``TextCache()`` to every call, so that a
    JSON document shared by many rows is encoded once for the whole run.

    The head row is read ``FOR UPDATE`` (a no-op on SQLite, where the write lock already
    serialises writers), so concurrent writers on a server queue instead of forking the chain.
    """
    last_id, last_hash = _read_head(connection)
    specs = audited_specs()
    when = (at or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    at_text = when.isoformat(timespec="seconds")
    batch: list[dict[str, Any]] = []
    written = 0
    texts = texts if texts is not None else TextCache()
    fast = is_fast(connection)
    fixed = f"{_encode_string(at_text)},{_encode_string(actor)},"
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    for entry in entries:
        spec = specs[entry.table_name]
        last_id += 1
        # Same digests as state_digest() and entry_hash(), without encoding values twice. Without
        # salts the hashed changes text is valid JSON of the changes and is stored as it is.
        salted = entry.salts is not None
        state_hash, body, stored = texts.entry(spec, entry, fast and salted)
        if fast and not salted:
            stored = body
        # dumps([last_id, at_text, actor, table_name, record_id, action, state_hash]), assembled.
        record = entry.record_id
        header = (
            f"[{last_id},{fixed}{texts.key(entry.table_name)},"
            f"{int.__repr__(record) if type(record) is int else dumps(record)},"
            f'{texts.key(entry.action)},"{state_hash}"]'
        )
        digest = hashlib.sha256(f"{last_hash}\n{header}\n{body}".encode()).hexdigest()
        batch.append(
            {
                "id": last_id,
                "at": when,
                "actor": actor,
                "table_name": entry.table_name,
                "record_id": entry.record_id,
                "action": entry.action,
                "changes": Encoded(stored) if fast else entry.changes,
                "salts": entry.salts,
                "redacted": None,
                "state_hash": state_hash,
                "prev_hash": last_hash,
                "hash": digest,
            }
        )
        last_hash = digest
        if len(batch) >= batch_size:
            written += bulk_insert(connection, table, batch)
            batch = []
    if batch:
        written += bulk_insert(connection, table, batch)
    if written:
        _write_head(connection, last_id, last_hash)
    return written


class AuditHeadMismatch(KnownError):
    """The head row does not name the last entry: writing would fail or fork the chain."""

    def __init__(self) -> None:
        super().__init__(
            "Nothing was saved: the audit trail's head does not match its last entry (it was "
            "changed outside rsdesk); run 'rsdesk audit verify' and see docs/server.md, "
            "'A damaged audit head'"
        )


def _read_head(connection: Connection) -> tuple[int, str]:
    """The chain's tip, read ``FOR UPDATE`` (created on first use).

    The head must name the last entry (one primary-key lookup): a head changed by hand would
    otherwise make every write fail on a duplicate id, or write entries that do not link.
    """
    head = connection.execute(
        select(AuditHead.last_entry_id, AuditHead.last_hash)
        .where(AuditHead.id == 1)
        .with_for_update()
    ).first()
    last = connection.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    expected = (last[0], last[1]) if last is not None else (0, GENESIS_HASH)
    if head is None:
        if last is not None:
            raise AuditHeadMismatch()
        connection.execute(insert(AuditHead).values(id=1, last_entry_id=0, last_hash=GENESIS_HASH))
        return expected
    if (head[0], head[1]) != expected:
        raise AuditHeadMismatch()
    return expected


def chain_position(connection: Connection, *, lock: bool = False) -> tuple[int, str] | None:
    """The head row's (last entry id, last hash), None before the first entry. Every write
    through rsdesk moves it, so two equal readings mean nothing was written in between;
    ``lock`` reads it ``FOR UPDATE`` (write transactions only): no other writer then moves it
    until this transaction ends."""
    query = select(AuditHead.last_entry_id, AuditHead.last_hash).where(AuditHead.id == 1)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return (row[0], row[1]) if row is not None else None


def _write_head(connection: Connection, last_id: int, last_hash: str) -> None:
    connection.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_entry_id=last_id, last_hash=last_hash)
    )


@dataclass
class ChainTip:
    """The chain's tip as a bulk writer holds it across several :func:`insert_entry_values`
    calls: the head row is read once before them and written once after them (:meth:`store`),
    so that the calls never touch the connection (another thread may be using it meanwhile)."""

    last_id: int
    last_hash: str

    @classmethod
    def read(cls, connection: Connection) -> ChainTip:
        return cls(*_read_head(connection))

    def store(self, connection: Connection) -> None:
        _write_head(connection, self.last_id, self.last_hash)


def entries_in_bulk(connection: Connection, table_name: str) -> bool:
    """Whether :func:`insert_entry_values` serves this table: SQLite, no personal fields (those
    take :func:`append_inserts`' general path, with salts)."""
    return is_fast(connection) and not audited_specs()[table_name].personal


def append_inserts(
    connection: Connection,
    actor: str,
    table_name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    texts: TextCache | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Entries for rows just inserted into ``table_name`` (each with its ``id``), chained after
    the head: the entries ``append_entries`` writes for ``insert_entry(spec, row["id"], row)``.

    Dict and list values must be JSON-ready and canonical already (they are hashed as they are);
    an ``Encoded`` value is taken as the ``dumps`` text of its document (tables without personal
    fields only).
    On SQLite, a table without personal fields takes one tight loop that encodes each value once,
    builds both hashed texts from the pieces, stores the hashed changes text as the changes
    column (the same JSON, compact and sorted) and hands plain tuples to ``executemany``: the
    bulk writers' (demo data, large imports) main cost.
    """
    spec = audited_specs()[table_name]
    texts = texts if texts is not None else TextCache()
    if spec.personal or not is_fast(connection):
        return append_entries(
            connection,
            actor,
            (_insert_entry_of_ready_row(spec, row) for row in rows),
            at=at,
            texts=texts,
        )
    if not rows:
        return 0
    tip = ChainTip.read(connection)
    params = insert_entry_values(connection, actor, table_name, rows, tip, texts=texts, at=at)
    insert_tuples(connection, _entry_table(), ENTRY_COLUMNS, params)
    tip.store(connection)
    return len(params)


def _entry_table() -> Table:
    table = AuditEntry.__table__
    assert isinstance(table, Table)
    return table


def insert_entry_values(
    connection: Connection,
    actor: str,
    table_name: str,
    rows: Sequence[Mapping[str, Any]],
    tip: ChainTip,
    *,
    texts: TextCache | None = None,
    at: dt.datetime | None = None,
) -> list[tuple[Any, ...]]:
    """The driver values of the entries :func:`append_inserts` writes for ``rows``, chained
    after ``tip`` (which moves on), for a caller that inserts them itself (``ENTRY_COLUMNS``,
    ``insert_tuples``). Only where :func:`entries_in_bulk`; executes nothing."""
    spec = audited_specs()[table_name]
    assert entries_in_bulk(connection, table_name)
    texts = texts if texts is not None else TextCache()
    # A plain str: a table's name is SQLAlchemy's quoted_name, a str subclass, which the sqlite3
    # driver adapts value by value through a slow attribute lookup (a tenth of the insert).
    table_name = str(table_name)
    last_id, last_hash = tip.last_id, tip.last_hash
    when = (at or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(microsecond=0)
    at_text = when.isoformat(timespec="seconds")
    stored_at, stored_null = stored_values(connection, _entry_table(), {"at": when, "salts": None})
    # Each column's fixed pieces of the state text ('"name":') and of the changes text
    # ('"name":[null,'), and the state text of a null, joined once per call.
    columns = [
        (name, key + ":", key + ":[null,", key + ":null") for name, key in _sorted_columns(spec)
    ]
    value_text = texts.value
    canonical_ = canonical
    encode = _encode_string
    int_repr = int.__repr__
    sha256 = hashlib.sha256
    prefix = f"{_encode_string(at_text)},{_encode_string(actor)},{texts.key(table_name)},"
    suffix = "," + texts.key("insert") + ',"'
    params: list[tuple[Any, ...]] = []
    day_texts: dict[Any, str] = {}
    for row in rows:
        parts = []
        body = []
        for name, key_colon, key_pair, key_null in columns:
            value = row.get(name)
            if value is None:
                parts.append(key_null)
                continue
            cls = type(value)
            if cls is str:
                text = encode(value)
            elif cls is bool:
                text = "true" if value else "false"
            elif cls is int:
                text = int_repr(value)
            elif cls is dict or cls is list:
                text = value_text(value)
            elif cls is Encoded:
                text = value  # a document already in its canonical text (demo/context.py)
            elif (cls is dt.date or cls is dt.datetime) and value in day_texts:
                text = day_texts[value]
            else:
                text = value_text(canonical_(value))
                if text == "null":
                    parts.append(key_null)
                    continue
                if cls is dt.date or (cls is dt.datetime and value.tzinfo is None):
                    # Dates and naive times repeat across rows (equal ones write the same text).
                    day_texts[value] = text
            parts.append(key_colon + text)
            body.append(key_pair + text + "]")
        state_hash = sha256(("{" + ",".join(parts) + "}").encode()).hexdigest()
        changes = "{" + ",".join(body) + "}"
        last_id += 1
        record_id = row["id"]
        record_text = int_repr(record_id) if type(record_id) is int else dumps(record_id)
        header = f'[{last_id},{prefix}{record_text}{suffix}{state_hash}"]'
        digest = sha256(f"{last_hash}\n{header}\n{changes}".encode()).hexdigest()
        params.append(
            (
                last_id, stored_at, actor, table_name, record_id, "insert", changes,
                stored_null, stored_null, state_hash, last_hash, digest,
            )
        )  # fmt: skip
        last_hash = digest
    tip.last_id, tip.last_hash = last_id, last_hash
    return params


ENTRY_COLUMNS = (
    "id", "at", "actor", "table_name", "record_id", "action", "changes", "salts", "redacted",
    "state_hash", "prev_hash", "hash",
)  # fmt: skip


def _insert_entry_of_ready_row(spec: AuditSpec, row: Mapping[str, Any]) -> PendingEntry:
    """``insert_entry`` for a row whose dicts and lists are canonical already (kept as they are,
    so that a document shared by many rows is encoded once)."""
    state = {}
    for name in spec.columns:
        value = row.get(name)
        cls = type(value)
        state[name] = value if cls is dict or cls is list else canonical(value)
    changes = {name: [None, value] for name, value in state.items() if value is not None}
    return PendingEntry(spec.table_name, row["id"], "insert", changes, state, new_salts(spec))
