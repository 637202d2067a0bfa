"""The import dialog, driven like a user: load a file, fix the mapping, preview, import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import Collaboration, StaffMember

pytestmark = pytest.mark.ui


@pytest.fixture
def dialog(qtbot, db: Database) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.dialogs.import_dialog import ImportDialog

    context = AppContext.create(db)
    widget = ImportDialog(context)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    context.ops.wait()


def _count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Collaboration)) or 0


def test_mapping_preview_and_import(qtbot, dialog, db: Database, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "legacy.csv"
    path.write_text(
        "Vorhaben;Type;Start date\nQuantum;Exchange;01.02.2024\nBattery;nonsense;2024-03-01\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
        dialog.load(path)
    plan = blocker.args[0]
    assert dialog.target.currentData() == "collaborations"
    assert "no column for Title" in str(plan.file_problems[0])
    assert not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
        dialog.set_field("Vorhaben", "title")
    plan = blocker.args[0]
    assert plan.counts()["create"] == 1
    assert plan.rejected == 1
    assert "row 3, column B (Type)" in dialog.details.toPlainText()
    # All or nothing: with a bad row, Import is off and says why ...
    assert not dialog.import_button.isEnabled()
    assert dialog.import_blocked.isVisible()
    assert dialog.import_blocked.text().startswith(
        "Import is off: 1 of 2 rows have problems, and an import is all or nothing."
    )
    # ... and an import started anyway (a preview gone stale) is refused whole ...
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.run_import()
    assert "Nothing was imported" in dialog.summary.text()
    assert _count(db) == 0
    # ... unless the user chooses to skip bad rows.
    dialog.skip_bad.setChecked(True)
    assert dialog.import_button.isEnabled()
    assert not dialog.import_blocked.isVisible()
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
        dialog.run_import()
    assert blocker.args[0].created == 1
    assert _count(db) == 1


def test_a_bad_file_is_one_clear_line(qtbot, dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.load(path)
    assert (
        dialog.summary.text() == "report.xlsx is a PDF document, not an Excel workbook (renamed?)"
    )
    assert not dialog.import_button.isEnabled()


def _staff_workbook(path: Path) -> Path:
    from tests.importers.conftest import write_xlsx

    return write_xlsx(
        path,
        [
            ["Staff number", "Name", "E-mail", "Role"],
            ["P-1", "Ada Good", "ada@inst.example", "professor"],
            ["P-2", "Bad Mail", "not-an-address", "researcher"],
            ["P-3", "Bad Role", "b@inst.example", "astronaut"],
            ["P-4", "Bea Good", "bea@inst.example", "postdoc"],
            ["", "No Number", "c@inst.example", "postdoc"],
        ],
    )


def test_a_refused_import_keeps_the_problems_and_skip_bad_rows_enables_import(  # type: ignore[no-untyped-def]
    qtbot, dialog, db: Database, tmp_path: Path
) -> None:
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.load(_staff_workbook(tmp_path / "staff.xlsx"))
    problems = dialog.details.toPlainText()
    assert "row 3, column C (E-mail)" in problems
    # 3 of 5 rows have problems and the box is not ticked: the import would be refused whole.
    assert not dialog.import_button.isEnabled()
    assert "3 of 5 rows have problems" in dialog.import_blocked.text()
    assert "3 of 5 rows have problems" in dialog.import_button.toolTip()
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.run_import()
    assert "choose to skip bad rows" in dialog.summary.text()
    # The list still says what to fix, row by row ...
    assert dialog.details.toPlainText() == problems
    assert "row 4, column D (Role)" in problems
    assert "row 6, column A (Staff number)" in problems
    # ... and ticking the box is enough to import the good rows.
    dialog.skip_bad.click()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
        dialog.import_button.click()
    assert blocker.args[0].created == 2
    assert blocker.args[0].rejected == 3


def _schulungen(path: Path, staff_number: str, course: str) -> Path:
    from tests.importers.conftest import write_xlsx

    return write_xlsx(
        path,
        [
            ["Personalnummer", "Mitarbeiter", "Kurs", "Abschlussdatum", "Bemerkung"],
            [staff_number, "Jane Doe", course, "15.01.2025", "Präsenz"],
        ],
    )


def _mapped(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        dialog.mapping_table.cellWidget(row, 2).currentData()
        for row in range(dialog.mapping_table.rowCount())
    ]


def test_the_dialog_reuses_the_remembered_mapping_and_target(  # type: ignore[no-untyped-def]
    qtbot, db: Database, tmp_path: Path
) -> None:
    from rsdesk.services import training
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.dialogs.import_dialog import ImportDialog
    from tests.importers.sample import populate

    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
        course = training.courses(session)[0].name
    path = _schulungen(tmp_path / "schulungen.xlsx", "S-001", course)
    german = ["staff_number", "staff_name", "course", "completed_on", "note"]
    context = AppContext.create(db)
    try:
        first = ImportDialog(context)
        qtbot.addWidget(first)
        with qtbot.waitSignal(first.previewed, timeout=20_000):
            first.load(path)
        first.target.setCurrentIndex(first.target.findData("training"))
        for header, field in zip(
            ["Personalnummer", "Mitarbeiter", "Kurs", "Abschlussdatum", "Bemerkung"], german
        ):
            first.set_field(header, field)
        qtbot.waitUntil(lambda: first.import_button.isEnabled(), timeout=20_000)
        assert _mapped(first) == german
        with qtbot.waitSignal(first.imported, timeout=20_000):
            first.import_button.click()
        context.ops.wait()

        # Opened again with the default target: the file goes where it went, mapped as then.
        again = ImportDialog(context)
        qtbot.addWidget(again)
        with qtbot.waitSignal(again.previewed, timeout=20_000) as blocker:
            again.load(path)
        assert again.target.currentData() == "training"
        assert _mapped(again) == german
        assert blocker.args[0].counts()["unchanged"] == 1

        # A target chosen before loading is kept (and gets its remembered mapping).
        chosen = ImportDialog(context, target="training")
        qtbot.addWidget(chosen)
        with qtbot.waitSignal(chosen.previewed, timeout=20_000):
            chosen.load(_schulungen(tmp_path / "other.xlsx", "S-002", course))
        assert chosen.target.currentData() == "training"
        assert _mapped(chosen) == german
        picked = ImportDialog(context)
        qtbot.addWidget(picked)
        picked.target.setCurrentIndex(picked.target.findData("partners"))
        with qtbot.waitSignal(picked.previewed, timeout=20_000):
            picked.load(path)
        assert picked.target.currentData() == "partners"
    finally:
        context.ops.wait()


def test_the_preview_lists_what_an_update_changes(
    qtbot, dialog, db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from rsdesk.services import staff

    with db.unit_of_work() as session:
        staff.create(session, staff.StaffInput("P-1001", "Łukasz Żółć", "professor"))
    path = tmp_path / "staff_ascii.csv"
    path.write_text("Staff number;Name;Role\nP-1001;Lukasz Zolc;Professor\n", encoding="utf-8")
    dialog.on_duplicate.setCurrentIndex(dialog.on_duplicate.findData("update"))
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.load(path)
    assert dialog.details.toPlainText().splitlines()[-1] == (
        "Update row 2 (P-1001): Name: 'Łukasz Żółć' → 'Lukasz Zolc' "
        "(only case, accents or punctuation differ)"
    )
    assert dialog.problems_button.isEnabled()


def test_rows_already_there_are_named_in_the_preview_and_the_result(  # type: ignore[no-untyped-def]
    qtbot, dialog, db: Database, tmp_path: Path
) -> None:
    """ "1 already there" named no row: the coordinator searched a 130-row file for it."""
    from rsdesk.services import staff

    with db.unit_of_work() as session:
        staff.create(session, staff.StaffInput("P-7", "Old Hand", "professor"))
        staff.create(session, staff.StaffInput("P-9", "Older Hand", "postdoc"))
    path = tmp_path / "starters.csv"
    path.write_text(
        "Staff number;Name;Role\n"
        "P-1;New Starter;Researcher\n"
        "P-7;Old Hand (again);Professor\n"
        "P-2;Second Starter;Postdoc\n"
        "P-9;Older Hand;Professor\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
        dialog.load(path)
    assert blocker.args[0].counts()["skip"] == 2
    assert "2 already there" in dialog.summary.text()
    lines = dialog.details.toPlainText().splitlines()
    assert "Left as it is: row 3 (P-7): already in the register" in lines
    assert "Left as it is: row 5 (P-9): already in the register" in lines
    assert not [line for line in lines if line.startswith("Note: row")]  # named once
    assert dialog.import_button.isEnabled()
    assert not dialog.import_blocked.isVisible()
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
        dialog.import_button.click()
    result = blocker.args[0]
    assert (result.created, result.skipped) == (2, 2)
    assert [(row.row, row.key) for row in result.skipped_rows] == [(3, "P-7"), (5, "P-9")]
    assert dialog.summary.text() == (
        "Imported: 2 created, 0 updated, 0 unchanged, 2 duplicates skipped. "
        "Left as they were: row 3 (P-7), row 5 (P-9)."
    )
    assert dialog.details.toPlainText().splitlines() == [
        "Left as it is: row 3 (P-7): already in the register",
        "Left as it is: row 5 (P-9): already in the register",
    ]
    with db.read() as session:
        rows = session.execute(select(StaffMember.staff_number, StaffMember.full_name))
        names = {number: name for number, name in rows}
    assert (names["P-7"], names["P-9"]) == ("Old Hand", "Older Hand")


def test_many_rows_already_there_are_capped_in_the_preview(  # type: ignore[no-untyped-def]
    qtbot, dialog, db: Database, tmp_path: Path
) -> None:
    from rsdesk.services import staff
    from rsdesk.ui.dialogs.import_dialog import MAX_SKIPPED_LINES

    total = MAX_SKIPPED_LINES + 7
    with db.unit_of_work() as session:
        for number in range(total):
            staff.create(session, staff.StaffInput(f"Q-{number}", f"Person {number}", "postdoc"))
    path = tmp_path / "everyone.csv"
    path.write_text(
        "Staff number;Name;Role\n"
        + "".join(f"Q-{number};Person {number} renamed;Postdoc\n" for number in range(total)),
        encoding="utf-8",
    )
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.load(path)
    lines = [
        line for line in dialog.details.toPlainText().splitlines() if "left as" in line.lower()
    ]
    assert len(lines) == MAX_SKIPPED_LINES + 1
    assert lines[0] == "Left as it is: row 2 (Q-0): already in the register"
    assert lines[-1].startswith("… and 7 more rows left as they are")
    # Nothing would be written: Import is off and says so.
    assert not dialog.import_button.isEnabled()
    assert dialog.import_blocked.text() == "Nothing to import: no row creates or updates a record."


def test_the_preview_is_written_as_shown_unless_the_register_changed_meanwhile(  # type: ignore[no-untyped-def]
    qtbot, dialog, db: Database, tmp_path: Path, plans_made: list[str]
) -> None:
    """Import writes the previewed plan without checking every row again; a collaboration
    entered meanwhile (in another window) has the rows planned again inside the write, so
    the row naming it is a duplicate, not a failed insert."""
    from rsdesk.models.enums import CollaborationKind

    made = plans_made
    path = tmp_path / "studies.csv"
    path.write_text(
        "Reference;Title;Kind\nC-DLG-1;Quantum;exchange\nC-DLG-2;Battery;exchange\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
        dialog.load(path)
    assert blocker.args[0].counts()["create"] == 2
    assert made == ["plan"]
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
        dialog.import_button.click()
    assert blocker.args[0].created == 2
    assert made == ["plan"], "the preview was written as it was"

    path.write_text(
        "Reference;Title;Kind\nC-DLG-3;Optics;exchange\nC-DLG-4;Sensors;exchange\n",
        encoding="utf-8",
    )
    with qtbot.waitSignal(dialog.previewed, timeout=20_000) as blocker:
        dialog.load(path)
    assert blocker.args[0].counts()["create"] == 2
    with db.unit_of_work() as session:
        session.add(
            Collaboration(
                reference="C-DLG-4", title="Entered meanwhile", kind=CollaborationKind.EXCHANGE
            )
        )
    made.clear()
    with qtbot.waitSignal(dialog.imported, timeout=20_000) as blocker:
        dialog.import_button.click()
    assert (blocker.args[0].created, blocker.args[0].skipped) == (1, 1)
    assert made == ["plan"], "planned again inside the write"
    assert _count(db) == 4
