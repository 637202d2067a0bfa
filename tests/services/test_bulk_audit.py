"""Bulk writers' audit entries and the fast paths of ``audit verify``.

``auditlog.append_inserts`` must write exactly the entries ``append_entries`` writes for the same
rows, and ``verify`` must accept the same JSON stored in any form (its fast path hashes stored
text as it is and falls back to decoding it) while still naming a changed row and field.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from sqlalchemy import select

from rsdesk.db import Database, auditlog, open_database
from rsdesk.db.bulk import bulk_insert
from rsdesk.models import AuditEntry, Partner
from rsdesk.services import audit, demo
from tests.conftest import fresh_sqlite

AT = dt.datetime(2026, 1, 2, 3, 4, 5)
ANCHOR = dt.date(2026, 6, 15)


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _partner_rows() -> list[dict[str, object]]:
    when = dt.datetime(2025, 5, 6, 7, 8, 9)
    return [
        {
            "id": number,
            "name": name,
            "kind": kind,
            "country": country,
            "city": None if number % 2 else "Łódź",
            "website": None,
            "notes": 'Line one\nline "two"' if number == 3 else None,
            "archived": number == 4,
            "created_at": when,
            "updated_at": when,
        }
        for number, (name, kind, country) in enumerate(
            [
                ("東京大学", "university", "JP"),
                ("Université de Genève", "university", "CH"),
                ("Acme \\ Photonics", "company", None),
                ("جامعة القاهرة", "other", "EG"),
            ],
            1,
        )
    ]


def _entries(database: Database) -> list[tuple[object, ...]]:
    with database.read() as session:
        return [
            (
                e.id,
                e.table_name,
                e.record_id,
                e.action,
                e.changes,
                e.salts,
                e.state_hash,
                e.prev_hash,
                e.hash,
            )
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_append_inserts_writes_the_entries_append_entries_writes(
    any_db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    reference = open_database(fresh_sqlite(sqlite_template, _folder(tmp_path / "reference")))
    table = Partner.__table__
    spec = auditlog.audited_specs()["partner"]
    rows = _partner_rows()
    try:
        with reference.engine.begin() as connection:
            bulk_insert(connection, table, rows)  # type: ignore[arg-type]
            auditlog.append_entries(
                connection, "tester", (auditlog.insert_entry(spec, r["id"], r) for r in rows), at=AT
            )  # type: ignore[arg-type]
        with any_db.engine.begin() as connection:
            bulk_insert(connection, table, rows)  # type: ignore[arg-type]
            assert auditlog.append_inserts(connection, "tester", "partner", rows, at=AT) == 4
        # Opening wrote the training catalogue's entries first, at each database's own moment
        # (so their hashes, and the chain after them, differ): compare what the two calls wrote,
        # and let verify check the chain.
        written = [e[1:7] for e in _entries(any_db) if e[1] == "partner"]
        assert written == [e[1:7] for e in _entries(reference) if e[1] == "partner"]
        assert len(written) == 4
        with any_db.read() as session:
            assert audit.verify(session).ok
    finally:
        reference.dispose()


def _demo(sqlite_template: Path, tmp_path: Path) -> Path:
    path = fresh_sqlite(sqlite_template, _folder(tmp_path / "demo"))
    database = open_database(path)
    try:
        demo.generate(database, size=40, seed=2, anchor=ANCHOR)
    finally:
        database.dispose()
    return path


def _verify(path: Path) -> audit.VerifyResult:
    database = open_database(path)
    try:
        with database.read() as session:
            return audit.verify(session)
    finally:
        database.dispose()


def test_verify_accepts_the_same_json_stored_in_another_form(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = _demo(sqlite_template, tmp_path)
    connection = sqlite3.connect(path)
    try:
        # The demo stores compact, sorted JSON; json.dumps' default form is the same content.
        for table, column in (("audit_entry", "changes"), ("appraisal", "result")):
            rows = connection.execute(f"SELECT id, {column} FROM {table}").fetchall()
            assert rows
            connection.executemany(
                f"UPDATE {table} SET {column} = ? WHERE id = ?",
                [(json.dumps(json.loads(text)), key) for key, text in rows],
            )
        connection.commit()
    finally:
        connection.close()
    assert _verify(path).ok


def test_verify_names_a_changed_json_document_and_a_changed_entry(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = _demo(sqlite_template, tmp_path)
    connection = sqlite3.connect(path)
    try:
        key, text = connection.execute("SELECT id, result FROM appraisal LIMIT 1").fetchone()
        result = json.loads(text)
        result["total"] += 1
        connection.execute(
            "UPDATE appraisal SET result = ? WHERE id = ?",
            (json.dumps(result, sort_keys=True, separators=(",", ":")), key),
        )
        connection.commit()
        outcome = _verify(path)
        assert not outcome.ok
        assert f"appraisal {key} was changed outside rsdesk" in str(outcome.problem)
        assert "(field result)" in str(outcome.problem)

        connection.execute(
            "UPDATE appraisal SET result = ? WHERE id = ?",
            (text, key),
        )
        entry, changes = connection.execute(
            "SELECT id, changes FROM audit_entry WHERE table_name = 'collaboration' LIMIT 1"
        ).fetchone()
        connection.execute(
            "UPDATE audit_entry SET changes = ? WHERE id = ?",
            (changes.replace('"status":[null,"', '"status":[null,"x'), entry),
        )
        connection.commit()
    finally:
        connection.close()
    outcome = _verify(path)
    assert not outcome.ok
    assert outcome.bad_entry_id == entry
    assert "altered after it was written" in str(outcome.problem)
