"""Moving a whole rsdesk database to another one, typically a laptop's file to a shared server.

``copy_database`` creates the target's schema with the Alembic migrations (so that it upgrades
like any other rsdesk database), copies every table row for row with its ids (attachments'
contents and the audit trail included, so the hash chain stays valid), moves PostgreSQL
sequences past the copied ids, and verifies the copy (row counts per table, the audit chain and
every row against its last entry) *in the same transaction*: a copy that does not verify is
rolled back and the target stays empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete, func, insert, inspect, select, text
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
    target = Database(target_url, actor=source.actor)
    where = target.display_name()
    try:
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
        # Reference lists are filled when any rsdesk opens a database: they do not count.
        for name in ["audit_entry", *sorted(audited_specs())]:
            if name not in existing:
                continue
            table = Base.metadata.tables[name]
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
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
        # RETURNING makes SQLAlchemy send a batch as one multi-row INSERT ("insertmanyvalues"),
        # several times faster on PostgreSQL than a statement per row.
        statement = insert(table).returning(*table.primary_key.columns)
        rows = reader.execute(select(table).order_by(*order)).mappings()
        for batch in rows.partitions(BATCH):
            cancel.raise_if_cancelled()
            try:
                writer.execute(statement, [dict(row) for row in batch])
            except DBAPIError as exc:  # e.g. a text longer than the server's column allows
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise KnownError(
                    f"Copy failed at {table.name} (a row the target refuses: {reason}); "
                    "nothing was kept there."
                ) from exc
            copied[table.name] += len(batch)
            done += len(batch)
            progress(done, grand_total, f"Copying {table.name}")
    return copied


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
