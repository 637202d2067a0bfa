"""The problems of an import plan as a workbook, to fix the file and try again."""

from __future__ import annotations

from pathlib import Path

from rsdesk.services.importers.plan import ImportPlan, shown
from rsdesk.services.reports.xlsx import sheet as sh
from rsdesk.services.reports.xlsx import styles as st

COLUMNS = (
    sh.SheetColumn("Row", sh.INT, 8),
    sh.SheetColumn("Column", sh.TEXT, 28),
    sh.SheetColumn("Problem", sh.TEXT, 70),
    sh.SheetColumn("Value in the file", sh.TEXT, 40),
)

#: The planned updates, one row per changed field, so that a change is seen before it is written.
CHANGE_COLUMNS = (
    sh.SheetColumn("Row", sh.INT, 8),
    sh.SheetColumn("Record", sh.TEXT, 24),
    sh.SheetColumn("Field", sh.TEXT, 22),
    sh.SheetColumn("Now", sh.TEXT, 40),
    sh.SheetColumn("After the import", sh.TEXT, 40),
    sh.SheetColumn("Differs only in", sh.TEXT, 30),
)


def save_problems(plan: ImportPlan, out: Path) -> int:
    """Writes one row per problem (row, column, reason, the offending value) and, on a sheet
    "Changes", one row per field a planned update changes; returns the number of problems."""
    from rsdesk.services.reports.xlsx.registers import new_workbook, save_atomically

    workbook = new_workbook(
        f"Import problems: {plan.source.path.name}", "rsdesk", f"{plan.title} import problems"
    )
    worksheet = workbook.create_sheet("Problems")
    writer = sh.RowWriter(workbook, worksheet, COLUMNS, st.WorkbookStyles(workbook))
    writer.header()
    cells = dict(plan.source.rows)
    letters = {plan.column_name(i): i for i in range(len(plan.source.headers))}
    count = 0
    for problem in plan.problems:
        value = None
        if problem.row is not None and problem.column in letters:
            value = cells.get(problem.row, [None] * len(letters))[letters[problem.column]]
        writer.append((problem.row, problem.column, problem.reason, value))
        count += 1
    writer.finish(validations=False)
    if any(True for _ in plan.changes()):
        changes = sh.RowWriter(
            workbook,
            workbook.create_sheet("Changes"),
            CHANGE_COLUMNS,
            st.WorkbookStyles(workbook),
        )
        changes.header()
        for change in plan.changes():
            changes.append(
                (
                    change.row,
                    change.key,
                    change.label,
                    shown(change.old),
                    shown(change.new),
                    "only case, accents or punctuation" if change.only_spelling else None,
                )
            )
        changes.finish(validations=False)
    save_atomically(workbook, Path(out))
    return count
