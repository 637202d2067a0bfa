"""One register (any RegisterSpec, any RegisterQuery) as a styled sheet, alone or in a workbook.

The sheet shows what the table view shows, in the same order and with the same filters, plus an
``ID`` column first so that an edited copy can be imported back onto the same records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rsdesk import __version__
from rsdesk.services import access, registers
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.pseudonyms import PERSONAL_KEYS, Pseudonymiser, kind_of
from rsdesk.services.registers.base import (
    RegisterQuery,
    RegisterSpec,
    sort_order,
    with_default_filters,
)
from rsdesk.services.reports.xlsx import sheet as sh
from rsdesk.services.reports.xlsx import styles as st
from rsdesk.services.reports.xlsx.audit_privacy import (
    WITHHELD,
    WITHHELD_SEARCH,
    AuditChangesCleaner,
)

#: Register column kind -> sheet column kind.
KINDS = {
    "text": sh.TEXT,
    "int": sh.INT,
    "money": sh.MONEY,
    "date": sh.DATE,
    "datetime": sh.DATETIME,
    "bool": sh.BOOL,
    "enum": sh.ENUM,
    "status": sh.ENUM,
    "risk": sh.RISK,
}
ID_HEADER = "ID"
#: The register of audit entries, whose export states the chain's verdict on its cover.
AUDIT_LOG_REGISTER = "audit_log"
#: The sheet that says what a one-view export holds; importers skip it.
COVER_SHEET = "Cover"
BATCH = 5000


@dataclass(frozen=True)
class SheetSummary:
    register: str
    sheet_title: str
    rows: int
    filters: str


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sheets: tuple[SheetSummary, ...]
    pseudonymised: bool

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sheets)


def sheet_title(text: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", "-", text).strip("'") or "Sheet"
    title = title[:31]
    taken = taken if taken is not None else set()
    base, number = title, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    taken.add(title.lower())
    return title


def is_personal(spec: RegisterSpec, column: Any) -> bool:
    if column.personal or column.key in PERSONAL_KEYS:
        return True
    return spec.name == "staff" and column.key in ("name",)


def holds_personal_data(spec: RegisterSpec) -> bool:
    """Whether a register shows people's names, e-mails or staff numbers."""
    return any(is_personal(spec, column) for column in spec.columns)


def describe_query(
    spec: RegisterSpec, query: RegisterQuery, session: Session, *, pseudonymised: bool
) -> str:
    """The query as the workbook states it (cover sheet, Subject property).

    A pseudonymised workbook withholds the search text and the person a filter picks: "Mehmet
    Okafor" next to a pseudonymised sheet would name whom the rows are about.
    """
    if not pseudonymised:
        return query.describe(spec, session)
    personal = {f.key: f.label for f in spec.filters if f.key in PERSONAL_KEYS}
    picked = [k for k, v in query.filters.items() if k in personal and v not in (None, "", ())]
    rest = dataclasses.replace(
        query, text="", filters={k: v for k, v in query.filters.items() if k not in personal}
    ).describe(spec, session)
    parts = [WITHHELD_SEARCH] if query.text else []
    parts += [f"{personal[key]} {WITHHELD}" for key in sorted(picked)]
    if rest != "all records" or not parts:
        parts.append(rest)
    return "; ".join(parts)


def repeats_the_id(spec: RegisterSpec) -> bool:
    """Whether the register's first column is its record id (the audit log's Entry), so that
    the sheet's own ID column would only repeat it."""
    return bool(spec.columns) and spec.columns[0].expr is spec.id_expr


def sheet_columns(spec: RegisterSpec) -> list[sh.SheetColumn]:
    columns = [] if repeats_the_id(spec) else [sh.SheetColumn(ID_HEADER, sh.INT, 8)]
    for column in spec.columns:
        width = column.width + 2
        if column.choices:  # room for the longest label, so drop-down values are not cut
            width = max(width, max(len(st.label(c)) for c in column.choices) + 2)
        columns.append(
            sh.SheetColumn(
                column.label,
                KINDS.get(column.kind, sh.TEXT),
                max(6, min(width, 60)),
                tuple(column.choices),
            )
        )
    return columns


def new_workbook(title: str, actor: str, subject: str) -> Any:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.title = title
    properties.subject = subject
    properties.creator = actor
    properties.lastModifiedBy = actor
    properties.keywords = "rsdesk; research security"
    properties.description = f"Exported by rsdesk {__version__}"
    properties.category = "Research security register"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    properties.created = now
    properties.modified = now
    return workbook


def write_register_sheet(
    session: Session,
    workbook: Any,
    ids: st.WorkbookStyles,
    lists: sh.ListsSheet,
    spec: RegisterSpec,
    query: RegisterQuery,
    *,
    title: str,
    pseudonymiser: Pseudonymiser | None = None,
    progress: Callable[[int], None] = lambda done: None,
    cancel: CancelToken = NEVER_CANCELLED,
    worksheet: Any = None,
    fast: bool | None = None,
    namer: Callable[[str], str] | None = None,
    max_rows: int = sh.EXCEL_MAX_ROWS,
) -> SheetSummary:
    """Streams the register's rows into a new sheet of a write-only workbook (continued on
    further sheets past Excel's row limit)."""
    series = sh.SheetSeries(
        workbook,
        title,
        sheet_columns(spec),
        ids,
        namer or (lambda text: sheet_title(text, {s.title.lower() for s in workbook.worksheets})),
        worksheet=worksheet,
        fast=fast,
        lists_sheet=lists,
        max_rows=max_rows,
    )
    replace: list[tuple[int, str]] = []
    clean_changes = _audit_changes_cleaner(session, spec, pseudonymiser)
    if pseudonymiser is not None:
        first = 0 if repeats_the_id(spec) else 1  # row values follow the ID column, if any
        replace = [
            (index + first, kind_of(column.key))
            for index, column in enumerate(spec.columns)
            if is_personal(spec, column)
        ]
    rows = 0
    without_id = repeats_the_id(spec)
    for row in registers.iterate(session, spec, query, batch=BATCH):
        if without_id:
            row = row[1:]
        if replace or clean_changes:
            values = list(row)
            for index, kind in replace:
                values[index] = pseudonymiser(values[index], kind)  # type: ignore[misc]
            if clean_changes:
                clean_changes(values)
            row = values
        series.append(row)
        rows += 1
        if rows % BATCH == 0:
            cancel.raise_if_cancelled()
            progress(rows)
    series.finish()
    progress(rows)
    title = series.sheet_title
    filters = describe_query(spec, query, session, pseudonymised=pseudonymiser is not None)
    if filters == "archived included":
        filters = "all records, archived included"
    return SheetSummary(spec.name, title, rows, filters)


def _audit_changes_cleaner(
    session: Session, spec: RegisterSpec, pseudonymiser: Pseudonymiser | None
) -> Callable[[list[Any]], None] | None:
    """For the audit-log register: cleans a row's changes in place (no secret, no real names)."""
    keys = [column.key for column in spec.columns]
    if not {"table_name", "record_id", "changes"} <= set(keys):
        return None
    first = 0 if repeats_the_id(spec) else 1  # row values follow the ID column, if any
    table, record, changes = (keys.index(k) + first for k in ("table_name", "record_id", "changes"))
    clean = AuditChangesCleaner(session, pseudonymiser)

    def apply(values: list[Any]) -> None:
        values[changes] = clean(values[table], values[record], values[changes])

    return apply


def save_atomically(workbook: Any, out: Path) -> None:
    """Saves to a temporary file next to ``out`` and renames it: no half-written workbook."""
    out = Path(out)
    handle, temporary = tempfile.mkstemp(prefix=".rsdesk-", suffix=".xlsx", dir=out.parent)
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, out)
    except PermissionError as exc:
        raise KnownError(f"Cannot write {out}: is it open in Excel?") from exc
    except OSError as exc:
        raise KnownError(f"Cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def export_register(
    session: Session,
    name: str,
    out: Path,
    query: RegisterQuery | None = None,
    *,
    actor: str = "unknown",
    pseudonymiser: Pseudonymiser | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    fast: bool | None = None,
) -> ExportResult:
    """One register (the current filtered view) as a one-sheet workbook at ``out``."""
    spec = registers.get(name)
    access.require_export(session, personal=pseudonymiser is None and holds_personal_data(spec))
    query = query or with_default_filters(spec, RegisterQuery())
    total = registers.count(session, spec, query)
    filters = describe_query(spec, query, session, pseudonymised=pseudonymiser is not None)
    author = pseudonymiser(actor) if pseudonymiser is not None else actor
    workbook = new_workbook(spec.title, author, f"{spec.title}: {filters}")
    try:
        title = sheet_title(spec.title)
        worksheet = workbook.create_sheet(title)
        ids = st.WorkbookStyles(workbook)
        lists = sh.ListsSheet()
        summary = write_register_sheet(
            session,
            workbook,
            ids,
            lists,
            spec,
            query,
            title=title,
            pseudonymiser=pseudonymiser,
            progress=lambda done: progress(done, total, spec.title),
            cancel=cancel,
            worksheet=worksheet,
            fast=fast,
        )
        chain_facts: list[tuple[str, Any]] = []
        if spec.name == AUDIT_LOG_REGISTER:
            # A slice of the entries is evidence only with the chain it belongs to: the cover
            # says whether that chain verified when the slice was written.
            from rsdesk.services.reports.xlsx import chain_status

            check = chain_status.verify_for_cover(
                session,
                lambda done, whole: progress(done, whole, "Verifying the audit trail"),
                cancel,
            )
            chain_facts = [
                (chain_status.STATUS_LABEL, check),
                ("How to check", chain_status.how_to_check(check)),
            ]
        cover = workbook.create_sheet(COVER_SHEET)
        write_filters_cover(
            cover,
            spec.title,
            [
                *chain_facts,
                ("Exported by", author),
                ("Exported at (UTC)", _now()),
                ("rsdesk version", __version__),
                *personal_data_facts(pseudonymiser is not None),
                ("Filters", summary.filters),
                ("Sorted by", describe_sort(spec, query)),
                ("Rows", summary.rows),
            ],
        )
        lists.write(workbook)
        cancel.raise_if_cancelled()
        save_atomically(workbook, out)
    except BaseException:
        sh.discard_workbook(workbook)  # nothing half-written left behind, even in /tmp
        raise
    return ExportResult(Path(out), (summary,), pseudonymiser is not None)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def personal_data_note(pseudonymised: bool) -> str:
    """The cover's "Personal data" line; the importers refuse a workbook that says
    "pseudonymised" (files.py reads it back)."""
    return "pseudonymised" if pseudonymised else "included (internal use only)"


#: The line under "Personal data: pseudonymised": what the pseudonyms cover, and that free text
#: (where someone may have typed a name or an e-mail) is not rewritten.
PSEUDONYMISED_SCOPE = (
    "Names, e-mails and staff numbers in the staff columns and logins are pseudonyms; "
    "free text such as titles, descriptions and notes is exported as typed — check it before "
    "the workbook leaves the office."
)


def personal_data_facts(pseudonymised: bool) -> list[tuple[str, str]]:
    """The cover's "Personal data" line, and in a pseudonymised export what was not changed."""
    facts = [("Personal data", personal_data_note(pseudonymised))]
    if pseudonymised:
        facts.append(("Free text", PSEUDONYMISED_SCOPE))
    return facts


def describe_sort(spec: RegisterSpec, query: RegisterQuery) -> str:
    """The order the rows are written in, as the cover states it ("Name, A to Z")."""
    key, descending = sort_order(spec, query)
    if key is None:
        return "record number, newest first" if descending else "record number"
    return f"{spec.column(key).label}, {'descending' if descending else 'ascending'}"


def write_filters_cover(worksheet: Any, title: str, facts: list[tuple[str, Any]]) -> None:
    """A cover sheet for a one-view export: what was exported, by whom, and the filters, search
    and sort it was narrowed by, so that a reader of the file knows it is not the whole
    register. It follows the data sheet, which stays the first (and the one imports read)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    from rsdesk.services.reports.xlsx.safe import text_cell

    worksheet.column_dimensions["A"].width = 22
    worksheet.column_dimensions["B"].width = 80
    st.page_setup(worksheet)
    worksheet.append([st.title_cell(worksheet, title)])
    worksheet.append(
        [text_cell(worksheet, "The rows that match the filters, search and sort below")]
    )
    worksheet.append([])
    from rsdesk.services.audit_watch import ChainCheck

    for name, value in facts:
        if isinstance(value, ChainCheck):
            from rsdesk.services.reports.xlsx import chain_status

            cell = chain_status.status_cell(worksheet, value)
        elif isinstance(value, str):
            cell = text_cell(worksheet, value)
        else:
            cell = WriteOnlyCell(worksheet, value)
            cell.alignment = Alignment(horizontal="left")
            if isinstance(value, dt.datetime):
                cell.number_format = st.DATETIME_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = st.DATE_FORMAT
        worksheet.append([st.label_cell(worksheet, name), cell])
    worksheet.page_setup.orientation = "portrait"
