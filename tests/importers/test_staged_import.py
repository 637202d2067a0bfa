"""The command line plans an import in a read transaction and writes it in a second one: a
refused plan never opens a write transaction, and a large file is written with a rollback
journal when nobody else has the database open (rsdesk/services/importers/staged.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database, foreign_keys
from rsdesk.models import Collaboration, CollaborationPartner
from rsdesk.models.enums import CollaborationKind
from rsdesk.services import audit, importers
from rsdesk.services.errors import KnownError
from tests.conftest import journal_mode
from tests.importers.conftest import file_digest, write_xlsx

ROWS = 40


def _studies(tmp_path: Path, *, bad_row: bool = False) -> Path:
    rows: list[list[object]] = [["Reference", "Title", "Kind", "Partners"]]
    rows += [[f"C-ST-{i:03d}", f"Study {i}", "exchange", f"Partner {i % 4}"] for i in range(ROWS)]
    if bad_row:
        rows[7][2] = "not a kind"
    return write_xlsx(tmp_path / "studies.xlsx", rows)


@pytest.fixture
def journals_seen(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> list[set[str]]:
    """The journal files beside the database when a bulk write checks its foreign keys (the
    end of the write, before the commit); files of ``ROWS`` rows count as large."""
    monkeypatch.setattr(importers, "BULK_ROWS", ROWS // 2)
    seen: list[set[str]] = []
    check = foreign_keys.check

    def looking(connection: object) -> None:
        suffixes = ("-wal", "-journal")
        seen.append({s for s in suffixes if Path(f"{db_path}{s}").exists()})
        check(connection)  # type: ignore[arg-type]

    monkeypatch.setattr(foreign_keys, "check", looking)
    return seen


def _collaborations(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Collaboration)) or 0)


def test_a_large_file_is_written_with_a_rollback_journal_and_the_file_ends_in_wal_mode(
    db: Database, db_path: Path, tmp_path: Path, journals_seen: list[set[str]], cli: object
) -> None:
    path = _studies(tmp_path)
    db.dispose()
    code, _out, err = cli("import", "xlsx", str(path), "--what", "collaborations")  # type: ignore[operator]
    assert code == 0, err
    assert journals_seen == [{"-journal"}]
    assert journal_mode(db_path) == "wal"
    assert _collaborations(db) == ROWS
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CollaborationPartner)) == ROWS
        assert audit.verify(session).ok


def test_with_the_database_open_elsewhere_a_large_file_is_written_with_the_log(
    db: Database, db_path: Path, tmp_path: Path, journals_seen: list[set[str]], cli: object
) -> None:
    path = _studies(tmp_path)
    db.dispose()
    reader = sqlite3.connect(db_path)  # a GUI's reader, say
    try:
        assert reader.execute("SELECT count(*) FROM collaboration").fetchone() == (0,)
        code, _out, err = cli("import", "xlsx", str(path), "--what", "collaborations")  # type: ignore[operator]
        assert code == 0, err
        assert reader.execute("SELECT count(*) FROM collaboration").fetchone() == (ROWS,)
    finally:
        reader.close()
    assert journals_seen == [{"-wal"}]
    assert journal_mode(db_path) == "wal"


def test_a_refused_large_file_leaves_the_database_byte_for_byte_as_it_was(
    db: Database, db_path: Path, tmp_path: Path, journals_seen: list[set[str]], cli: object
) -> None:
    """The switch of journal rewrites SQLite's change counter: a refused plan must not get
    that far."""
    path = _studies(tmp_path, bad_row=True)
    db.dispose()
    before = file_digest(db_path)
    code, out, err = cli("import", "xlsx", str(path), "--what", "collaborations")  # type: ignore[operator]
    assert code != 0
    assert "Nothing was imported: 1 of 40 rows have problems" in err
    assert "row 8, column C" in out
    assert file_digest(db_path) == before
    assert journals_seen == []
    # With --skip-bad-rows the other rows go in, with the journal.
    code, _out, err = cli(  # type: ignore[operator]
        "import", "xlsx", str(path), "--what", "collaborations", "--skip-bad-rows"
    )
    assert code == 0, err
    assert journals_seen == [{"-journal"}]
    assert _collaborations(db) == ROWS - 1


def test_a_plan_is_written_as_made_when_nothing_was_written_since(
    any_db: Database, tmp_path: Path, plans_made: list[str]
) -> None:
    made = plans_made
    source = importers.read_file(_studies(tmp_path), "xlsx", target="collaborations")
    planned = importers.plan_import(any_db, source, "collaborations")
    result = importers.write_planned(any_db, planned, exclusive=True)
    assert (result.created, made) == (ROWS, ["plan"])
    assert _collaborations(any_db) == ROWS


def test_a_write_between_plan_and_import_has_the_rows_planned_again(
    any_db: Database, tmp_path: Path, plans_made: list[str]
) -> None:
    """Someone created C-ST-005 meanwhile: planned again, that row is a duplicate (skipped)
    instead of a failed insert, and the other rows go in."""
    made = plans_made
    source = importers.read_file(_studies(tmp_path), "xlsx", target="collaborations")
    planned = importers.plan_import(any_db, source, "collaborations")
    assert planned.plan.counts()["create"] == ROWS
    with any_db.unit_of_work() as session:
        session.add(
            Collaboration(
                reference="C-ST-005", title="Entered meanwhile", kind=CollaborationKind.EXCHANGE
            )
        )
    result = importers.write_planned(any_db, planned)
    assert (result.created, result.skipped, made) == (ROWS - 1, 1, ["plan", "plan"])
    assert _collaborations(any_db) == ROWS
    with any_db.read() as session:
        titles = session.scalars(
            select(Collaboration.title).where(Collaboration.reference == "C-ST-005")
        ).all()
        assert titles == ["Entered meanwhile"]
        assert audit.verify(session).ok


def test_a_refused_plan_opens_no_write_transaction(
    any_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = importers.read_file(_studies(tmp_path, bad_row=True), "xlsx", target="collaborations")
    planned = importers.plan_import(any_db, source, "collaborations")

    def no_write(*args: object, **kwargs: object) -> None:
        raise AssertionError("a write transaction was opened")

    monkeypatch.setattr(any_db, "unit_of_work", no_write)
    with pytest.raises(KnownError, match="Nothing was imported: 1 of 40 rows have problems"):
        importers.write_planned(any_db, planned)
