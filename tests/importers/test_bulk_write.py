"""Large imports: indexes rebuilt after the rows, a larger page cache for the write only."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from rsdesk.db import Database, auditlog, deferred_indexes, open_database
from rsdesk.db.page_cache import BULK_CACHE_MIB, bulk_page_cache, cache_kib
from rsdesk.models import AuditEntry, Collaboration, CollaborationPartner, TechnologyArea
from rsdesk.services import audit, importers
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled, CancelToken
from tests.importers.conftest import file_digest, write_xlsx

HEADER = ["Title", "Kind", "Start", "Partners"]


def _schema(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        )
        return [(name, sql) for name, sql in rows]


def _workbook(tmp_path: Path, count: int) -> Path:
    rows: list[list[object]] = [list(HEADER)]
    rows += [
        [f"Study {i}", "exchange", "2024-01-01", f"Partner {i % 7}; Partner {i % 5 + 10}"]
        for i in range(count)
    ]
    return write_xlsx(tmp_path / "many.xlsx", rows)


def test_indexes_dropped_for_a_large_import_come_back_as_they_were(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)
    before = _schema(db)
    dropped: list[str] = []
    drop = deferred_indexes.drop_plain_indexes

    def recording_drop(connection: Connection, tables: object = None) -> list[str]:
        statements = drop(connection, tables)  # type: ignore[arg-type]
        dropped.extend(statements)
        return statements

    monkeypatch.setattr(deferred_indexes, "drop_plain_indexes", recording_drop)
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, _workbook(tmp_path, 40), "xlsx", None)
    assert result is not None
    assert result.created == 40
    # The register's indexes were out of the way during the write, and are back, unchanged.
    assert any("ON collaboration (" in sql for sql in dropped)
    assert any("ON collaboration_partner (" in sql for sql in dropped)
    assert _schema(db) == before
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CollaborationPartner)) == 80
        assert audit.verify(session).ok
        # The rebuilt index serves the register's queries.
        plan = session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM collaboration WHERE archived = 0 ORDER BY title"
        )
        assert "ix_collaboration_register_title" in " ".join(str(row) for row in plan)


def test_a_cancelled_large_import_leaves_file_and_indexes_as_they_were(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)
    token = CancelToken()

    def progress(done: int, total: int, message: str = "") -> None:
        if message.startswith("writing"):
            token.cancel()

    with _nothing_changes(db, db_path):
        with pytest.raises(Cancelled), db.unit_of_work() as session:
            importers.run_import(
                session, _workbook(tmp_path, 40), "xlsx", None, progress=progress, cancel=token
            )
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(Collaboration)) == 0


@contextmanager
def _nothing_changes(db: Database, db_path: Path) -> Iterator[None]:
    """The database file (and its schema) is byte for byte the same after the block."""
    before = _schema(db)
    db.dispose()
    digest = file_digest(db_path)
    yield
    assert _schema(db) == before
    db.dispose()
    assert file_digest(db_path) == digest


def test_only_many_rows_compared_with_the_table_are_worth_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.unit_of_work() as session:
        connection = session.connection()
        many = deferred_indexes.MIN_ROWS
        assert deferred_indexes.worth_deferring(connection, "collaboration", many)
        assert not deferred_indexes.worth_deferring(connection, "collaboration", many - 1)
        monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 1)
        present = session.scalar(select(func.count()).select_from(TechnologyArea))
        assert present is not None
        assert present > 1
        assert deferred_indexes.worth_deferring(connection, "technology_area", present)
        assert not deferred_indexes.worth_deferring(connection, "technology_area", present - 1)


def test_a_failure_inside_the_block_still_leaves_a_whole_schema(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 1)
    before = _schema(db)
    with db.unit_of_work() as session:
        connection = session.connection()
        with (
            pytest.raises(RuntimeError),
            deferred_indexes.indexes_deferred(connection, {"collaboration": 1}),
        ):
            assert _names(connection) < {name for name, _ in before}
            raise RuntimeError("a failed write")
        # Even a caller that commits after the failure keeps every index.
    assert _schema(db) == before


def _names(connection: Connection) -> set[str]:
    rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE sql IS NOT NULL")
    return {name for (name,) in rows}


def test_the_bulk_page_cache_is_given_back(db: Database) -> None:
    with db.unit_of_work() as session:
        connection = session.connection()
        usual = cache_kib(connection)
        assert usual < BULK_CACHE_MIB * 1024
        with bulk_page_cache(connection):
            assert cache_kib(connection) == BULK_CACHE_MIB * 1024
        assert cache_kib(connection) == usual
        with pytest.raises(RuntimeError), bulk_page_cache(connection):
            raise RuntimeError("a failed import")
        assert cache_kib(connection) == usual


def test_imported_rows_and_their_audit_entries_carry_the_same_ids(
    any_db: Database, tmp_path: Path
) -> None:
    """On SQLite the importer writes the ids itself (one above the largest, as SQLite would);
    on PostgreSQL it reads them back. Either way each audit entry names its own row, also after
    the newest collaboration was deleted (its id is free again, as SQLite itself would reuse it)."""
    first = _workbook(tmp_path, 3)
    with any_db.unit_of_work() as session:
        importers.run_import(session, first, "xlsx", "collaborations")
    with any_db.unit_of_work() as session:
        newest = session.scalars(select(Collaboration).order_by(Collaboration.id.desc())).first()
        assert newest is not None
        session.delete(newest)
    with any_db.read() as session:
        largest = session.scalar(select(func.max(Collaboration.id)))
    rows: list[list[object]] = [list(HEADER)]
    rows += [[f"Later {i}", "exchange", "2024-02-01", f"Partner {i}"] for i in range(4)]
    with any_db.unit_of_work() as session:
        importers.run_import(
            session, write_xlsx(tmp_path / "later.xlsx", rows), "xlsx", "collaborations"
        )
    with any_db.read() as session:
        later = session.execute(
            select(Collaboration.id, Collaboration.title)
            .where(Collaboration.title.like("Later %"))
            .order_by(Collaboration.id)
        ).all()
        assert [title for _, title in later] == [f"Later {i}" for i in range(4)]
        if any_db.engine.dialect.name == "sqlite":
            assert [id_ for id_, _ in later] == list(range(largest + 1, largest + 5))
        for id_, title in later:
            entry = session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.table_name == "collaboration",
                    AuditEntry.record_id == id_,
                    AuditEntry.action == "insert",
                )
                .order_by(AuditEntry.id.desc())
            ).first()
            assert entry is not None
            assert entry.changes["title"][1] == title
            links = session.scalars(
                select(CollaborationPartner.id).where(CollaborationPartner.collaboration_id == id_)
            ).all()
            assert len(links) == 1
            linked = session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.table_name == "collaboration_partner",
                    AuditEntry.record_id == links[0],
                )
                .order_by(AuditEntry.id.desc())
            ).first()
            assert linked is not None
            assert linked.changes["collaboration_id"][1] == id_
        assert audit.verify(session).ok


def test_audit_entries_are_made_on_one_thread_while_another_builds_the_indexes(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries' computation and the index rebuild overlap (SQLite builds an index without
    the interpreter lock); the switch interval comes back; the trail verifies."""
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)
    threads: dict[str, set[int]] = {"index": set(), "entries": set()}
    create, entry_values = deferred_indexes._create, auditlog.insert_entry_values

    def recording_create(connection: Connection, statements: list[str]) -> None:
        if statements:
            threads["index"].add(threading.get_ident())
        create(connection, statements)

    def recording_entry_values(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        threads["entries"].add(threading.get_ident())
        return entry_values(*args, **kwargs)

    monkeypatch.setattr(deferred_indexes, "_create", recording_create)
    monkeypatch.setattr(auditlog, "insert_entry_values", recording_entry_values)
    switch = sys.getswitchinterval()
    before = _schema(db)
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, _workbook(tmp_path, 40), "xlsx", None)
    assert result is not None
    assert result.created == 40
    assert threads["entries"] == {threading.get_ident()}
    assert len(threads["index"]) == 1
    assert threads["index"] != threads["entries"]
    assert sys.getswitchinterval() == switch
    assert _schema(db) == before
    with db.read() as session:
        assert audit.verify(session).ok
        entries = session.execute(
            select(AuditEntry.table_name, AuditEntry.record_id).order_by(AuditEntry.id)
        ).all()
    # In the order written: the collaborations, then their links (one batch here).
    imported = [name for name, _ in entries if name.startswith("collaboration")]
    assert imported == ["collaboration"] * 40 + ["collaboration_partner"] * 80


def test_a_failure_while_the_indexes_are_built_leaves_the_file_as_it_was(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)

    def failing_entry_values(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(auditlog, "insert_entry_values", failing_entry_values)
    path = _workbook(tmp_path, 40)
    with (
        _nothing_changes(db, db_path),
        pytest.raises(RuntimeError, match="out of memory"),
        db.unit_of_work() as session,
    ):
        importers.run_import(session, path, "xlsx", None)


def test_rebuild_while_returns_the_work_and_leaves_nothing_to_rebuild(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 1)
    before = _schema(db)
    with db.unit_of_work() as session:
        connection = session.connection()
        with deferred_indexes.indexes_deferred(connection, {"collaboration": 1}) as deferred:
            assert _names(connection) < {name for name, _ in before}
            assert deferred.rebuild_while(lambda: 42) == 42
            assert _names(connection) == {name for name, _ in before}
            assert deferred.rebuild_while(lambda: "again") == "again"
    assert _schema(db) == before


def test_a_rebuild_beside_work_that_stops_half_way_still_leaves_a_whole_schema(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 1)
    before = _schema(db)
    create = deferred_indexes._create

    def half_then_fail(connection: Connection, statements: list[str]) -> None:
        monkeypatch.setattr(deferred_indexes, "_create", create)  # only this call fails
        create(connection, statements[:2])
        raise RuntimeError("disk full")

    with db.unit_of_work() as session:
        connection = session.connection()
        with (
            pytest.raises(RuntimeError, match="disk full"),
            deferred_indexes.indexes_deferred(connection, {"collaboration": 1}) as deferred,
        ):
            monkeypatch.setattr(deferred_indexes, "_create", half_then_fail)
            deferred.rebuild_while(lambda: None)
        # A caller that commits after the failure keeps every index, none built twice.
    assert _schema(db) == before


def test_rebuild_while_runs_then_on_the_rebuild_thread_after_the_indexes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 1)
    seen: list[tuple[int, bool]] = []
    with db.unit_of_work() as session:
        connection = session.connection()
        with deferred_indexes.indexes_deferred(connection, {"collaboration": 1}) as deferred:
            indexes = {name for name, _ in _schema(db)}

            def then() -> None:
                seen.append((threading.get_ident(), _names(connection) >= indexes))

            assert deferred.rebuild_while(lambda: threading.get_ident(), then=then) != seen[0][0]
    assert seen[0][1], "then ran after every index was back"
    assert len(seen) == 1


def test_a_large_import_checks_its_foreign_keys_beside_the_entries(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk foreign-key check runs on the rebuild thread once the rows are in; a dangling
    reference it finds rolls the whole import back."""
    from rsdesk.db import foreign_keys

    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)
    monkeypatch.setattr(importers, "BULK_ROWS", 10)
    checks: list[tuple[str, set[str]]] = []
    check = foreign_keys.check

    def recording(connection: Connection) -> None:
        written = connection.info.get("rsdesk_tables_written") or set()
        checks.append((threading.current_thread().name, {table for table, _ in written}))
        check(connection)

    monkeypatch.setattr(foreign_keys, "check", recording)
    path = _workbook(tmp_path, 40)
    source = importers.read_file(path, "xlsx")
    with db.unit_of_work(bulk=True) as session:
        plan = importers.build_plan(session, source, "collaborations")
        importers.apply_plan(session, plan)
    rebuild, commit = checks
    assert rebuild[0].startswith("index-rebuild")
    assert {"collaboration", "collaboration_partner", "partner"} <= rebuild[1]
    assert commit[0] == threading.current_thread().name
    # Only what was written after it (the entries, the remembered mapping): checked once.
    assert "audit_entry" in commit[1]
    assert commit[1].isdisjoint({"collaboration", "collaboration_partner", "partner"})
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Collaboration)) == 40
        assert audit.verify(session).ok

    # A link to a partner deleted behind the import's back (foreign keys off while it writes).
    def dangling(connection: Connection) -> None:
        connection.exec_driver_sql(
            "INSERT INTO collaboration_partner (collaboration_id, partner_id, role, created_at, "
            "updated_at, row_version) SELECT max(id), 987654, NULL, '2026-01-01', '2026-01-01', "
            "1 FROM collaboration"
        )
        recording(connection)

    monkeypatch.setattr(foreign_keys, "check", dangling)
    db.dispose()
    with (
        _nothing_changes(db, db_path),
        pytest.raises(KnownError, match="refer to a partner"),
        db.unit_of_work(bulk=True) as session,
    ):
        plan = importers.build_plan(session, source, "collaborations")
        importers.apply_plan(session, plan)


def _imported(db: Database, path: Path) -> tuple[list[Any], list[Any]]:
    """The collaborations and links as stored (their times by form: the runs differ in time)
    and the audit entries of them."""
    import re

    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    with db.unit_of_work() as session:
        importers.run_import(session, path, "xlsx", None)
    stored = []
    with db.read() as session:
        connection = session.connection()
        for table in ("collaboration", "collaboration_partner"):
            result = connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
            names = list(result.keys())
            for row in result:
                values = dict(zip(names, row, strict=True))
                for name in ("created_at", "updated_at"):
                    assert stamp.fullmatch(values.pop(name)), values
                stored.append((table, values))
        entries = connection.exec_driver_sql(
            "SELECT table_name, record_id, action, changes, state_hash FROM audit_entry "
            "WHERE table_name LIKE 'collaboration%' ORDER BY id"
        ).all()
        assert audit.verify(session).ok
    return stored, [tuple(e) for e in entries]


def test_rows_of_driver_values_store_and_audit_what_converted_rows_do(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collaborations' bulk insert hands SQLite its own text for dates and times instead of
    having each value converted on the way in: the same stored values, the same entries."""
    from rsdesk.services.importers.common import BulkInserts
    from tests.conftest import fresh_sqlite

    monkeypatch.setattr(deferred_indexes, "MIN_ROWS", 10)
    rows: list[list[object]] = [[*HEADER, "End", "Funding", "Risk"]]
    rows += [
        [f"Study {i}", "exchange", f"2024-01-{i % 28 + 1:02d}", f"Partner {i % 3}",
         "2030-12-31" if i % 2 else None, 1000 * i if i % 3 else None, "high" if i % 4 else None]
        for i in range(30)
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "mixed.xlsx", rows)
    results = []
    for driver_values in (True, False):
        monkeypatch.setattr(
            BulkInserts,
            "takes_driver_values",
            property(lambda _s, d=driver_values: d),
        )
        folder = tmp_path / str(driver_values)
        folder.mkdir()
        db = open_database(fresh_sqlite(sqlite_template, folder))
        try:
            results.append(_imported(db, path))
        finally:
            db.dispose()
    assert results[0] == results[1]
    assert results[0][0], "rows were imported"
