"""Tampering that leaves bytes which are not UTF-8 in a SQLite TEXT value (the sqlite3 shell's
``CAST(X'..' AS TEXT)``, ``replace()`` on a BLOB): ``audit verify`` names the record like any other
edit instead of failing on the driver's decode error, and the report archive refuses the report."""

from __future__ import annotations

import gc
import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from rsdesk.cli import main
from rsdesk.services import audit, demo
from rsdesk.services.errors import KnownError
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record


@pytest.fixture
def demo_db(db):
    demo.generate(db, size=20, seed=5)
    with db.unit_of_work() as session:
        generate_appraisal_record(session, 1, database_name="office.sqlite3", actor="jdoe")
    return db


def _tamper(path: Path, statement: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _verify(db) -> audit.VerifyResult:
    with db.read() as session:
        return audit.verify(session)


def _last_entry(db_path: Path, table: str, record_id: int) -> int:
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(
            "SELECT max(id) FROM audit_entry WHERE table_name = ? AND record_id = ?",
            (table, record_id),
        ).fetchone()[0]
    finally:
        connection.close()


def test_verify_names_a_record_whose_text_is_not_utf8(demo_db, db_path) -> None:
    assert _verify(demo_db).ok
    _tamper(db_path, "UPDATE collaboration SET title = CAST(X'4142FF43' AS TEXT) WHERE id = 5")
    result = _verify(demo_db)
    assert not result.ok
    assert result.bad_entry_id == _last_entry(db_path, "collaboration", 5)
    assert result.problem == (
        f"collaboration 5 was changed outside rsdesk after entry {result.bad_entry_id} "
        "(field title)"
    )


def test_verify_names_a_personal_field_whose_text_is_not_utf8(demo_db, db_path) -> None:
    _tamper(db_path, "UPDATE staff_member SET full_name = CAST(X'C3' AS TEXT) WHERE id = 3")
    result = _verify(demo_db)
    assert not result.ok
    assert result.problem.startswith("staff_member 3 was changed outside rsdesk")
    assert "(field full_name)" in result.problem


def test_verify_names_an_entry_whose_text_is_not_utf8(demo_db, db_path) -> None:
    _tamper(db_path, "UPDATE audit_entry SET actor = CAST(X'6AFF' AS TEXT) WHERE id = 7")
    result = _verify(demo_db)
    assert not result.ok
    assert result.bad_entry_id == 7
    assert result.problem.startswith("entry 7 was altered after it was written")


def test_verify_names_an_entry_whose_changes_are_not_json(demo_db, db_path) -> None:
    _tamper(db_path, "UPDATE audit_entry SET changes = '{\"title\": [' WHERE id = 9")
    result = _verify(demo_db)
    assert (result.ok, result.bad_entry_id) == (False, 9)


def test_a_report_edited_with_replace_is_named_and_refused(demo_db, db_path) -> None:
    # replace() on a BLOB returns TEXT: the PDF's bytes come back as text that is not UTF-8.
    _tamper(
        db_path, "UPDATE archived_report SET content = replace(content, 'Research', 'Researcx')"
    )
    result = _verify(demo_db)
    assert not result.ok
    assert result.problem.startswith("archived_report 1 was changed outside rsdesk")
    assert "(field content)" in result.problem
    with demo_db.read() as session:
        assert [info.id for info in archive.list_reports(session)] == [1]
        with pytest.raises(KnownError, match="Archived report 1 was altered after it was made"):
            archive.fetch(session, 1)


def test_the_archive_lists_but_refuses_a_report_whose_title_is_not_utf8(demo_db, db_path) -> None:
    with demo_db.read() as session:
        intact = archive.fetch(session, 1).content
    _tamper(db_path, "UPDATE archived_report SET title = CAST(X'4142FF43' AS TEXT)")
    with demo_db.read() as session:
        (listed,) = archive.list_reports(session)
        assert listed.title == "AB\ufffdC"
        with pytest.raises(KnownError, match="was altered after it was made"):
            archive.fetch(session, 1)
    assert intact.startswith(b"%PDF")


def test_the_archive_refuses_content_replaced_together_with_its_hash(demo_db, db_path) -> None:
    forged = b"%PDF-1.4 forged"
    _tamper(
        db_path,
        f"UPDATE archived_report SET content = X'{forged.hex()}', "
        f"sha256 = '{hashlib.sha256(forged).hexdigest()}'",
    )
    with demo_db.read() as session, pytest.raises(KnownError, match="was altered"):
        archive.fetch(session, 1)


def test_cli_reports_undecodable_tampering_in_one_line(demo_db, db_path, tmp_path, capsys) -> None:
    _tamper(
        db_path, "UPDATE archived_report SET content = replace(content, 'Research', 'Researcx')"
    )
    demo_db.dispose()
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("rsdesk: audit trail broken: archived_report 1 was changed")
    assert "Traceback" not in error
    assert error.count("\n") == 1
    out = tmp_path / "report.pdf"
    assert main(["--db", str(db_path), "report", "archive", "1", "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("rsdesk: Archived report 1 was altered")
    assert error.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ("UPDATE audit_entry SET actor = CAST(X'6AFF' AS TEXT) WHERE id = 7", "actor"),
        # Named as the failing query labels it (which register reads staff names first).
        ("UPDATE staff_member SET full_name = CAST(X'C3' AS TEXT) WHERE id = 2", r"\w+"),
    ],
    ids=["audit-entry", "register-row"],
)
def test_other_readers_fail_with_one_line_that_points_to_verify(
    demo_db, db_path, tmp_path, capsys, statement, column
) -> None:
    """An export half-written when the read fails says so in one line (no traceback, and no
    'Exception ignored' from the workbook's row writers as they are collected)."""
    _tamper(db_path, statement)
    demo_db.dispose()
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(db_path), "export", "xlsx", str(out)]) == 1
    gc.collect()  # the half-written workbook's row writers, while this test still watches
    error = capsys.readouterr().err
    assert re.fullmatch(
        rf"rsdesk: The database holds text that is not valid UTF-8 \(column {column}\), which "
        r"rsdesk never writes: it was edited outside rsdesk\. 'rsdesk audit verify' \(or Verify "
        r"chain in the audit log\) names the record\.\n",
        error,
    )
    assert not out.exists()


def test_the_archive_checks_a_report_against_its_audit_entry_on_either_engine(any_db) -> None:
    """``fetch`` hands out an intact report and refuses one whose content and hash were replaced
    together (read as bytes and JSON the way each engine's driver returns them)."""
    demo.generate(any_db, size=10, seed=5)
    with any_db.unit_of_work() as session:
        report_id, content = generate_appraisal_record(
            session, 1, database_name="office", actor="jdoe"
        )
    with any_db.read() as session:
        assert archive.fetch(session, report_id).content == content
    forged = b"%PDF-1.4 forged"
    with any_db.engine.begin() as connection:
        connection.execute(
            text("UPDATE archived_report SET content = :content, sha256 = :digest WHERE id = :id"),
            {"content": forged, "digest": hashlib.sha256(forged).hexdigest(), "id": report_id},
        )
    with any_db.read() as session, pytest.raises(KnownError, match="was altered"):
        archive.fetch(session, report_id)
