"""`rsdesk export xlsx OUT --what training-matrix`: the matrix workbook read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from rsdesk.cli import main
from rsdesk.db import Database
from rsdesk.services import training

from .helpers import department, person


@pytest.fixture
def staffed(db: Database) -> Database:
    today = dt.date.today()
    with db.unit_of_work() as session:
        training.sync_courses(session)
        infosec = next(c for c in training.courses(session) if c.code == "infosec")
        physics = department(session, "Physics")
        history = department(session, "History")
        done = person(session, full_name="Ada Done", staff_number="P1", department_id=physics)
        person(session, full_name="Ben Missing", staff_number="P2", department_id=physics)
        person(session, full_name="Cy Historian", staff_number="H1", department_id=history)
        training.record_completion(session, done, infosec.id, today - dt.timedelta(days=30))
    db.dispose()
    return db


def _rows(sheet) -> dict[str, tuple]:
    return {row[1].value: row for row in sheet.iter_rows(min_row=2)}


def test_cli_writes_the_training_matrix_coloured_by_status(
    staffed: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "matrix.xlsx"
    argv = ["--db", str(db_path), "export", "xlsx", str(out), "--what", "training-matrix"]
    assert main(argv) == 0
    assert "Training matrix 3" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert {"Training matrix", "Compliance"} <= set(workbook.sheetnames)
    sheet = workbook["Training matrix"]
    header = [cell.value for cell in sheet[1]]
    column = header.index(next(c.name for c in _courses(staffed) if c.code == "infosec"))
    rows = _rows(sheet)
    assert set(rows) == {"Ada Done", "Ben Missing", "Cy Historian"}
    current, missing = rows["Ada Done"][column], rows["Ben Missing"][column]
    assert str(current.value).startswith("Current (")
    assert missing.value == "Missing"
    assert current.fill.start_color.rgb.endswith("C6EFCE")
    assert missing.fill.start_color.rgb.endswith("D9D9D9")
    departments = [r[0] for r in workbook["Compliance"].iter_rows(min_row=2, values_only=True)]
    assert set(departments) == {"Physics", "History"}


def test_one_department_search_and_pseudonyms(
    staffed: Database, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "physics.xlsx"
    base = ["--db", str(db_path), "export", "xlsx", str(out), "--what", "training-matrix"]
    assert main([*base, "--department", "physics"]) == 0
    assert set(_rows(openpyxl.load_workbook(out)["Training matrix"])) == {
        "Ada Done",
        "Ben Missing",
    }
    assert main([*base, "--search", "ben"]) == 0
    assert set(_rows(openpyxl.load_workbook(out)["Training matrix"])) == {"Ben Missing"}
    assert main([*base, "--pseudonymise"]) == 0
    sheet = openpyxl.load_workbook(out)["Training matrix"]
    names = set(_rows(sheet))
    assert len(names) == 3
    assert all(name.startswith("Person ") for name in names)
    numbers = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert all(number.startswith("S-") for number in numbers)


def test_bad_department_or_option_is_one_clean_line(
    staffed: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.xlsx"
    base = ["--db", str(db_path), "export", "xlsx", str(out)]
    assert main([*base, "--what", "training-matrix", "--department", "Alchemy"]) == 1
    assert main([*base, "--what", "staff", "--department", "Physics"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "rsdesk: No department named 'Alchemy'",
        "rsdesk: --department goes with --what training-matrix",
    ]
    assert not out.exists()


def _courses(db: Database) -> list:
    with db.read() as session:
        return list(training.courses(session))
