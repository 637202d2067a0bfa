"""The export dialog writes the audit workbook (or one register) in a background job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from rsdesk.db import Database
from tests.importers.sample import populate

pytestmark = pytest.mark.ui


@pytest.fixture
def dialog(qtbot, db: Database) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.dialogs.export_dialog import ExportDialog

    populate(db)
    context = AppContext.create(db)
    widget = ExportDialog(context)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    context.ops.wait()


def test_exports_the_audit_workbook(qtbot, dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "audit.xlsx"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.export_button.click()
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames[0] == "Cover"
    assert "Written to" in dialog.status.text()


def test_exports_one_register_pseudonymised(qtbot, dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "staff"
    dialog.path_edit.setText(str(out))
    dialog.register_choice.setChecked(True)
    dialog.register_box.setCurrentIndex(dialog.register_box.findData("staff"))
    dialog.pseudonymise.setChecked(True)
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.export_button.click()
    sheet = openpyxl.load_workbook(tmp_path / "staff.xlsx")["Staff"]
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names
    assert all(name.startswith("Person ") for name in names)


def test_missing_folder_is_explained(dialog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog.path_edit.setText(str(tmp_path / "nowhere" / "a.xlsx"))
    dialog.export_button.click()
    assert "does not exist" in dialog.status.text()
