"""The audit trail's state as a workbook cover states it: verified at export, not assumed.

A cover that printed the head hash alone told an auditor nothing about a tampered file: the head
is there whether or not the chain below it holds. The exports that carry audit entries run
``audit.verify`` on their own snapshot and say what it found, in a cell nobody can miss.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rsdesk.services import audit
from rsdesk.services.audit_watch import ChainCheck, from_verify_result
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken

#: The cover's label for the verdict, which importers and tests look for.
STATUS_LABEL = "Audit trail at export"
BROKEN_FILL = "C00000"
INTACT_FILL = "E2EFDA"


def verify_for_cover(
    session: Session,
    progress: Any = lambda done, total: None,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ChainCheck:
    """``audit.verify`` on the export's own session; ``progress(done, total)`` in entries."""
    result = audit.verify(session, lambda done, total, _text="": progress(done, total), cancel)
    return from_verify_result(result)


def status_text(check: ChainCheck) -> str:
    if check.ok:
        return (
            f"INTACT: verified at export, {check.entries_checked:,} entries; latest hash "
            f"{check.latest_hash}"
        )
    return f"BROKEN: {check.problem}. The records in this workbook may not be what rsdesk recorded."


def how_to_check(check: ChainCheck) -> str:
    if check.ok:
        return "rsdesk audit verify (on the database above) prints the same hash"
    return "rsdesk audit verify (on the database above) names the same problem"


def status_cell(worksheet: Any, check: ChainCheck) -> Any:
    """The verdict, bold, on red with white text when broken (light green when intact)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    from rsdesk.services.reports.xlsx.safe import text_cell

    cell = text_cell(worksheet, status_text(check))
    fill = INTACT_FILL if check.ok else BROKEN_FILL
    cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    cell.font = Font(bold=True, color="000000" if check.ok else "FFFFFF")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell
