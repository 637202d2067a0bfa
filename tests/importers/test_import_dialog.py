"""The import dialog, driven like a user: load a file, fix the mapping, preview, import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import Collaboration

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
    assert dialog.import_button.isEnabled()
    # All or nothing: the bad row stops the import ...
    with qtbot.waitSignal(dialog.previewed, timeout=20_000):
        dialog.import_button.click()
    assert "Nothing was imported" in dialog.summary.text()
    assert _count(db) == 0
    # ... unless the user chooses to skip bad rows.
    dialog.skip_bad.setChecked(True)
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
