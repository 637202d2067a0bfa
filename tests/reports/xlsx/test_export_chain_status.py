"""The covers of the exports that carry audit entries state a verify run at export: the audit
workbook and the audit-log register said "prints the same hash" for a tampered file. The audit
log's sheet has each entry's previous and state hashes (and no ID column repeating Entry), so
that an exported slice can be re-verified."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select

from rsdesk.db import Database, auditlog
from rsdesk.models import AuditEntry, Department
from rsdesk.services import audit
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.xlsx import chain_status
from rsdesk.services.reports.xlsx.audit import export_audit_workbook
from rsdesk.services.reports.xlsx.registers import export_register


def _with_departments(db: Database) -> None:
    with db.unit_of_work() as session:
        for index in range(4):
            session.add(Department(name=f"Department {index}"))


def _tamper(db: Database) -> None:
    assert db.path is not None
    connection = sqlite3.connect(db.path)
    try:
        connection.execute("UPDATE department SET name = 'Edited in the shell' WHERE id = 2")
        connection.commit()
    finally:
        connection.close()


def _cover(out: Path) -> tuple[dict[str, object], Any]:
    cover = openpyxl.load_workbook(out)["Cover"]
    facts = {
        row[0].value: row[1].value for row in cover.iter_rows() if row[0].value and len(row) > 1
    }
    status = next(row[1] for row in cover.iter_rows() if row[0].value == chain_status.STATUS_LABEL)
    return facts, status


def _workbook(db: Database, out: Path) -> None:
    with db.read() as session:
        export_audit_workbook(session, out, actor=db.actor, database=db.display_name())


def _audit_log(db: Database, out: Path) -> None:
    with db.read() as session:
        export_register(session, "audit_log", out, RegisterQuery(), actor=db.actor)


def test_audit_workbook_of_an_intact_trail_says_intact_with_the_hash(
    db: Database, tmp_path: Path
) -> None:
    _with_departments(db)
    with db.read() as session:
        expected = audit.verify(session)
    out = tmp_path / "audit.xlsx"
    _workbook(db, out)
    facts, status = _cover(out)
    assert facts[chain_status.STATUS_LABEL] == (
        f"INTACT: verified at export, {expected.entries_checked:,} entries; latest hash "
        f"{expected.latest_hash}"
    )
    assert facts["How to check"] == (
        "rsdesk audit verify (on the database above) prints the same hash"
    )
    assert status.fill.start_color.rgb.endswith(chain_status.INTACT_FILL)


def test_audit_workbook_of_a_tampered_file_says_broken_in_red(db: Database, tmp_path: Path) -> None:
    _with_departments(db)
    _tamper(db)
    with db.read() as session:
        expected = audit.verify(session)
    assert not expected.ok
    out = tmp_path / "audit.xlsx"
    progress: list[tuple[int, int | None, str]] = []
    with db.read() as session:
        export_audit_workbook(
            session,
            out,
            actor=db.actor,
            database=db.display_name(),
            progress=lambda done, total, text="": progress.append((done, total, text)),
        )
    facts, status = _cover(out)
    text = str(facts[chain_status.STATUS_LABEL])
    assert text.startswith(f"BROKEN: {expected.problem}.")
    assert "prints the same hash" not in str(facts["How to check"])
    assert status.fill.start_color.rgb.endswith(chain_status.BROKEN_FILL)
    assert status.font.bold
    # The verify is the export's first step, counted in its progress.
    assert progress[0][2] == "Verifying the audit trail"
    assert all(done <= total for done, total, _ in progress if total is not None)


def test_audit_log_export_can_be_reverified_and_states_the_chain(
    db: Database, tmp_path: Path
) -> None:
    _with_departments(db)
    out = tmp_path / "log.xlsx"
    _audit_log(db, out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Audit log"]
    headers = [cell.value for cell in sheet[1]]
    assert headers.count("Entry") == 1
    assert "ID" not in headers
    assert {"State hash", "Previous hash", "Hash"} <= set(headers)
    rows = [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    by_entry = {row["Entry"]: row for row in rows}
    # Each entry links to the one before, as the sheet shows it, and the sheet's own columns
    # recompute its hash.
    for entry_id, row in by_entry.items():
        if entry_id - 1 in by_entry:
            assert row["Previous hash"] == by_entry[entry_id - 1]["Hash"]
    with db.read() as session:
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            row = by_entry[entry.id]
            assert row["State hash"] == entry.state_hash
            assert row["Previous hash"] == entry.prev_hash
    assert by_entry[1]["Previous hash"] == auditlog.GENESIS_HASH
    facts, status = _cover(out)
    assert str(facts[chain_status.STATUS_LABEL]).startswith("INTACT: verified at export")
    _tamper(db)
    _audit_log(db, out)
    facts, status = _cover(out)
    assert str(facts[chain_status.STATUS_LABEL]).startswith(
        "BROKEN: department 2 was changed outside rsdesk"
    )
    assert status.fill.start_color.rgb.endswith(chain_status.BROKEN_FILL)
