"""Moving a whole rsdesk database to another one, typically a laptop's file to a shared server.

``copy_database`` creates the target's schema with the Alembic migrations (so that it upgrades
like any other rsdesk database), copies every table row for row with its ids (attachments'
contents and the audit trail included, so the hash chain stays valid), moves PostgreSQL
sequences past the copied ids, and verifies the copy (row counts per table, the audit chain and
every row against its last entry) *in the same transaction*: a copy that does not verify is
rolled back and the target stays empty.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    Text,
    cast,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from rsdesk.db import Database
from rsdesk.db.auditlog import audited_specs
from rsdesk.models import AuditEntry, Base
from rsdesk.services import audit
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

#: Rows read and written per batch (attachments can be large; keep batches modest).
BATCH = 1_000


@dataclass(frozen=True)
class CopyResult:
    target: str
    #: Rows per table, as counted on both sides after the copy.
    counts: dict[str, int]
    audit_entries: int
    latest_hash: str

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def copy_database(
    source: Database,
    target_url: URL,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> CopyResult:
    """Copy ``source`` into the empty database at ``target_url`` and verify it; see module doc.

    Raises KnownError if the target already holds rsdesk data, cannot be reached, refuses a row,
    or if the copy does not verify (nothing is left in the target then).
    """
    from rsdesk.db import migrate

    if target_url == source.url:
        raise KnownError("The copy's target is the database itself; give another one.")
    # A SQLite target file is written under its writer lock, like any rsdesk write: an rsdesk
    # that has it open for writing is named instead of finding another's records in it.
    target = Database(target_url, actor=source.actor, lock_writes=True)
    where = target.display_name()
    try:
        target.acquire_writer_lock()
        _refuse_foreign_or_populated(target)
        migrate.upgrade(target, backup=False)
        if migrate.current_revision(source) != migrate.current_revision(target):
            raise KnownError(
                f"{source.display_name()} is not at this version's schema; "
                "run 'rsdesk db upgrade' on it first."
            )
        tables = Base.metadata.sorted_tables
        with source.engine.connect() as reader, target.engine.begin() as writer:
            counts = _copy_rows(reader, writer, tables, progress, cancel)
            if writer.dialect.name == "postgresql":
                _reset_sequences(writer, tables)
            result = _verify(reader, writer, tables, counts, where, progress, cancel)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise KnownError(f"Copy to {where} failed, nothing was kept there: {reason}") from exc
    finally:
        target.dispose()
    return result


#: The audited table that opening a database fills (rsdesk/db/session.py).
OPENING_WRITES = "training_course"


def _refuse_foreign_or_populated(target: Database) -> None:
    """A target must be empty: rsdesk never merges two databases' records or audit chains."""
    with target.engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        if not existing:
            return
        if "alembic_version" not in existing:
            raise KnownError(
                f"{target.display_name()} holds tables that are not rsdesk's; "
                "copy into an empty database."
            )
        # Reference lists and the catalogue's training courses (with their entries) are filled
        # when any rsdesk opens a database: they do not count, and the copy replaces them.
        for name in ["audit_entry", *sorted(audited_specs())]:
            if name not in existing or name == OPENING_WRITES:
                continue
            table = Base.metadata.tables[name]
            query = select(func.count()).select_from(table)
            if name == "audit_entry":
                query = query.where(AuditEntry.table_name != OPENING_WRITES)
            if connection.execute(query).scalar_one():
                raise KnownError(
                    f"{target.display_name()} already holds rsdesk data ({name}); "
                    "copy into an empty database."
                )


def _copy_rows(
    reader: Connection,
    writer: Connection,
    tables: list[Table],
    progress: Progress,
    cancel: CancelToken,
) -> dict[str, int]:
    totals = {
        table.name: reader.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables
    }
    grand_total = sum(totals.values())
    # Rows the target's own set-up wrote (reference lists, the audit head) make way for the
    # source's, children first.
    for table in reversed(tables):
        writer.execute(delete(table))
    copied: dict[str, int] = {}
    done = 0
    for table in tables:
        copied[table.name] = 0
        order = list(table.primary_key.columns) or list(table.columns)
        to_server = writer.dialect.name == "postgresql"
        # RETURNING makes SQLAlchemy send a batch as one multi-row INSERT ("insertmanyvalues").
        statement = insert(table).returning(*table.primary_key.columns)
        rows = reader.execute(select(*_readable(table, reader, to_server)).order_by(*order))
        for batch in rows.partitions(BATCH):
            cancel.raise_if_cancelled()
            try:
                if to_server:
                    _copy_into_server(writer, table, batch)
                else:
                    writer.execute(statement, [dict(row._mapping) for row in batch])
            except DBAPIError as exc:  # e.g. a text longer than a column allows
                raise _refused(table, exc.orig or exc) from exc
            copied[table.name] += len(batch)
            done += len(batch)
            progress(done, grand_total, f"Copying {table.name}")
    return copied


def _readable(table: Table, reader: Connection, to_server: bool) -> list[Any]:
    """The columns to read; for a server, JSON documents as their stored text (decoding and
    re-encoding every audit entry's changes would cost more than the rest of the copy)."""
    if not to_server:
        return list(table.columns)
    selected: list[Any] = []
    for column in table.columns:
        if isinstance(column.type, JSON):
            # PostgreSQL's driver decodes json even when asked for text: cast it there.
            as_text = (
                cast(column, Text)
                if reader.dialect.name == "postgresql"
                else type_coerce(column, Text)
            )
            selected.append(as_text.label(column.name))
        else:
            selected.append(column)
    return selected


def _copy_into_server(writer: Connection, table: Table, batch: Sequence[Any]) -> None:
    """Rows into PostgreSQL with COPY: many times faster than INSERT statements."""
    names = ", ".join(writer.dialect.identifier_preparer.quote(c.name) for c in table.columns)
    quoted = writer.dialect.identifier_preparer.quote(table.name)
    driver = writer.connection.driver_connection
    assert driver is not None
    import psycopg

    try:
        with driver.cursor() as cursor, cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row([_plain(value) for value in row])
    except psycopg.Error as exc:
        raise _refused(table, exc) from exc


def _refused(table: Table, cause: BaseException) -> KnownError:
    reason = str(cause).strip().splitlines()[0]
    return KnownError(
        f"Copy failed at {table.name} (a row the target refuses: {reason}); nothing was kept there."
    )


def _plain(value: Any) -> Any:
    """A value COPY's text format takes: enums by value, JSON text as it is."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _reset_sequences(writer: Connection, tables: list[Table]) -> None:
    """Move each id sequence past the largest copied id, so new records do not collide."""
    for table in tables:
        if "id" not in table.c:
            continue
        sequence = writer.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        if sequence is None:
            continue
        writer.execute(
            text(
                f'SELECT setval(:sequence, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"'
            ),
            {"sequence": sequence},
        )


def _verify(
    reader: Connection,
    writer: Connection,
    tables: list[Table],
    copied: dict[str, int],
    where: str,
    progress: Progress,
    cancel: CancelToken,
) -> CopyResult:
    counts: dict[str, int] = {}
    for table in tables:
        expected = reader.execute(select(func.count()).select_from(table)).scalar_one()
        found = writer.execute(select(func.count()).select_from(table)).scalar_one()
        if not expected == found == copied[table.name]:
            raise KnownError(
                f"Copy to {where} did not verify: {table.name} has {found} rows, "
                f"the source {expected}; nothing was kept there."
            )
        counts[table.name] = found
    with Session(bind=writer) as session:
        checked = audit.verify(session, progress=progress, cancel=cancel)
    if not checked.ok:
        raise KnownError(
            f"Copy to {where} did not verify: {checked.problem}; nothing was kept there."
        )
    source_hash = reader.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    if (source_hash or checked.latest_hash) != checked.latest_hash:
        raise KnownError(
            f"Copy to {where} did not verify: its audit chain ends elsewhere than the source's."
        )
    return CopyResult(where, counts, checked.entries_checked, checked.latest_hash)
