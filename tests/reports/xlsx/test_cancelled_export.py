"""Cancel part-way through an Excel export leaves nothing at the target: no new file, no
half-written one, no temporary file beside it, and an earlier file of that name untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from rsdesk.services import demo
from rsdesk.services.progress import Cancelled, CancelToken
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.xlsx import registers as xlsx_registers
from rsdesk.services.reports.xlsx.audit import export_audit_workbook
from rsdesk.services.reports.xlsx.registers import export_register

#: Rows between two looks at Cancel in the test (5,000 in the product): the demo of 60 then
#: gives many looks, and the cancel lands half-way through a sheet.
SMALL_BATCH = 10
CANCEL_AFTER_ROWS = 30


@pytest.fixture
def filled(any_db):
    demo.generate(any_db, size=60, seed=2)
    return any_db


@pytest.fixture
def folder(tmp_path) -> Path:
    """Where the exports go: empty, apart from what the export leaves."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(xlsx_registers, "BATCH", SMALL_BATCH)


class CancelAfterRows:
    """A progress callback that presses Cancel once ``rows`` rows are reported written."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.token = CancelToken()
        self.seen: list[int] = []

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self.seen.append(done)
        if done >= self.rows:
            self.token.cancel()


def _left_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture(autouse=True)
def no_stray_temporary_files():
    """openpyxl streams each sheet through a temporary file; a cancelled export removes its own
    at once rather than leaving them in the temp folder until rsdesk exits."""
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)
    yield
    assert [name for name in ALL_TEMP_FILES if name not in before] == []


@pytest.mark.usefixtures("small_batches")
def test_a_register_export_cancelled_half_way_writes_no_file(filled, folder) -> None:
    out = folder / "active.xlsx"
    press = CancelAfterRows(CANCEL_AFTER_ROWS)
    with pytest.raises(Cancelled), filled.read() as session:
        export_register(
            session,
            "audit_log",  # hundreds of rows in the demo of 60
            out,
            RegisterQuery(),
            actor="tester",
            progress=press,
            cancel=press.token,
        )
    assert press.token.cancelled
    assert max(press.seen) == CANCEL_AFTER_ROWS  # stopped at the next look
    assert _left_in(folder) == []


@pytest.mark.usefixtures("small_batches")
def test_a_cancelled_export_keeps_the_earlier_file_of_that_name(filled, folder) -> None:
    out = folder / "collaborations.xlsx"
    out.write_bytes(b"yesterday's export")
    press = CancelAfterRows(CANCEL_AFTER_ROWS)
    with pytest.raises(Cancelled), filled.read() as session:
        export_register(
            session,
            "collaborations",
            out,
            RegisterQuery(include_archived=True),
            actor="tester",
            progress=press,
            cancel=press.token,
        )
    assert out.read_bytes() == b"yesterday's export"
    assert _left_in(folder) == ["collaborations.xlsx"]


@pytest.mark.usefixtures("small_batches")
def test_the_audit_workbook_cancelled_half_way_writes_no_file(filled, folder) -> None:
    out = folder / "audit.xlsx"
    with filled.read() as session:
        entries_and_rows: list[int] = []
        export_audit_workbook(
            session,
            folder / "whole.xlsx",
            actor="tester",
            database="test",
            progress=lambda done, total, message="": entries_and_rows.append(total),
        )
    (folder / "whole.xlsx").unlink()
    # Cancel at half of the whole work, wherever that falls.
    press = CancelAfterRows(entries_and_rows[-1] // 2)
    with pytest.raises(Cancelled), filled.read() as session:
        export_audit_workbook(
            session,
            out,
            actor="tester",
            database="test",
            progress=press,
            cancel=press.token,
        )
    assert press.token.cancelled
    assert _left_in(folder) == []
