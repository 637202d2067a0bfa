"""The audit workbook: a cover sheet, every register, and the audit log, from one snapshot.

The cover sheet says who exported what, when, from which database, with which filters, how many
rows each sheet holds and the audit chain's latest hash, so that internal audit can check the
workbook against ``rsdesk audit verify`` on the live database. The chain is verified as the
workbook is written, and the cover says whether it held (chain_status).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk import __version__
from rsdesk.models import AuditEntry
from rsdesk.services import access, audit, registers
from rsdesk.services.audit_watch import ChainCheck
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.pseudonyms import Pseudonymiser
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.xlsx import chain_status
from rsdesk.services.reports.xlsx import sheet as sh
from rsdesk.services.reports.xlsx import styles as st
from rsdesk.services.reports.xlsx.audit_privacy import (
    AuditChangesCleaner,
    database_name_only,
)
from rsdesk.services.reports.xlsx.registers import (
    BATCH,
    ExportResult,
    SheetSummary,
    new_workbook,
    personal_data_facts,
    save_atomically,
    sheet_title,
    write_register_sheet,
)

AUDIT_SHEET = "Audit log"
#: Registers that list the audit log itself.
AUDIT_REGISTERS = frozenset({"audit_log", "audit"})
AUDIT_COLUMNS = (
    sh.SheetColumn("Entry", sh.INT, 9),
    sh.SheetColumn("At (UTC)", sh.DATETIME, 17),
    sh.SheetColumn("Actor", sh.TEXT, 16),
    sh.SheetColumn("Table", sh.TEXT, 20),
    sh.SheetColumn("Record", sh.INT, 9),
    sh.SheetColumn("Action", sh.TEXT, 9),
    sh.SheetColumn("Changes", sh.TEXT, 80),
    sh.SheetColumn("State hash", sh.TEXT, 66),
    sh.SheetColumn("Previous hash", sh.TEXT, 66),
    sh.SheetColumn("Hash", sh.TEXT, 66),
)


def _write_audit_sheet(
    session: Session,
    workbook: Any,
    ids: st.WorkbookStyles,
    *,
    title: str,
    pseudonymiser: Pseudonymiser | None,
    progress: Any,
    cancel: CancelToken,
    fast: bool | None,
    namer: Any,
    max_rows: int,
) -> SheetSummary:
    writer = sh.SheetSeries(
        workbook,
        title,
        AUDIT_COLUMNS,
        ids,
        namer,
        fast=fast,
        validations=False,
        max_rows=max_rows,
    )
    clean = AuditChangesCleaner(session, pseudonymiser)
    statement = select(
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.actor,
        AuditEntry.table_name,
        AuditEntry.record_id,
        AuditEntry.action,
        AuditEntry.changes,
        AuditEntry.state_hash,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    ).order_by(AuditEntry.id)
    rows = 0
    for (
        entry_id,
        at,
        actor,
        table,
        record,
        action,
        changes,
        state_hash,
        prev_hash,
        digest,
    ) in session.execute(statement.execution_options(yield_per=BATCH)):
        if pseudonymiser is not None:
            actor = pseudonymiser(actor)
        changes = clean(table, record, changes)
        text = json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""
        writer.append(
            (entry_id, at, actor, table, record, action, text, state_hash, prev_hash, digest)
        )
        rows += 1
        if rows % BATCH == 0:
            cancel.raise_if_cancelled()
            progress(rows)
    writer.finish()
    progress(rows)
    return SheetSummary("audit log", writer.sheet_title, rows, "all entries")


def _write_cover(
    workbook: Any,
    worksheet: Any,
    ids: st.WorkbookStyles,
    *,
    actor: str,
    database: str,
    when: dt.datetime,
    latest: str,
    entries: int,
    chain: ChainCheck,
    sheets: list[SheetSummary],
    pseudonymised: bool,
) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    from rsdesk.services.reports.xlsx.safe import text_cell

    def value_cell(value: Any) -> Any:
        if isinstance(value, str):
            return text_cell(worksheet, value)
        cell = WriteOnlyCell(worksheet, value)
        cell.alignment = Alignment(horizontal="left")
        if isinstance(value, dt.datetime):
            cell.number_format = st.DATETIME_FORMAT
        elif isinstance(value, int):
            cell.number_format = st.MONEY_FORMAT
        return cell

    worksheet.column_dimensions["A"].width = 26
    worksheet.column_dimensions["B"].width = 68
    worksheet.column_dimensions["C"].width = 40
    st.page_setup(worksheet)  # before the first row: it is part of the sheet's head
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.append([st.title_cell(worksheet, "rsdesk audit workbook")])
    worksheet.append([text_cell(worksheet, "Research-security registers and their audit trail")])
    worksheet.append([])
    facts: list[tuple[str, Any]] = [
        ("Exported by", actor),
        ("Exported at (UTC)", when),
        ("Database", database),
        ("rsdesk version", __version__),
        *personal_data_facts(pseudonymised),
        ("Audit entries", entries),
        ("Audit chain latest hash", latest),
    ]
    worksheet.append(
        [
            st.label_cell(worksheet, chain_status.STATUS_LABEL),
            chain_status.status_cell(worksheet, chain),
        ]
    )
    facts.append(("How to check", chain_status.how_to_check(chain)))
    for name, value in facts:
        worksheet.append([st.label_cell(worksheet, name), value_cell(value)])
    worksheet.append([])
    worksheet.append(
        [
            st.header_cell(worksheet, "Sheet"),
            st.header_cell(worksheet, "Rows"),
            st.header_cell(worksheet, "Filters"),
        ]
    )
    for summary in sheets:
        worksheet.append(
            [
                text_cell(worksheet, summary.sheet_title),
                value_cell(summary.rows),
                text_cell(worksheet, summary.filters),
            ]
        )
    worksheet.page_setup.orientation = "portrait"


def export_audit_workbook(
    session: Session,
    out: Path,
    *,
    actor: str,
    database: str,
    queries: Mapping[str, RegisterQuery] | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    fast: bool | None = None,
    max_rows: int = sh.EXCEL_MAX_ROWS,
) -> ExportResult:
    """Every register in ``registers.names()`` plus the audit log, with a cover sheet.

    ``queries`` optionally narrows registers by name; the others are exported whole (archived
    records included: an audit copy leaves nothing out).
    """
    # Staff, onboarding and training sheets and the audit log's actors are personal data.
    access.require_export(session, personal=pseudonymiser is None)
    queries = dict(queries or {})
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    latest = audit.latest_hash(session)
    entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    # The audit log has its own sheet below (pseudonymised like the rest when asked).
    specs = [registers.get(name) for name in registers.names() if name not in AUDIT_REGISTERS]
    plan = [(spec, queries.get(spec.name, RegisterQuery(include_archived=True))) for spec in specs]
    # The verify walks every entry first: part of the progress, and the cover's verdict.
    total = sum(registers.count(session, spec, query) for spec, query in plan) + 2 * entries
    chain = chain_status.verify_for_cover(
        session,
        lambda done, _total: progress(min(done, entries), total, "Verifying the audit trail"),
        cancel,
    )
    # The exporting login is personal data too: the Cover and the file's author name its pseudonym.
    shown_actor = pseudonymiser(actor) if pseudonymiser else actor
    # So may be any folder of the database's path (/tmp/astrid.iyer/r.sqlite3): only its name.
    if pseudonymiser is not None:
        database = database_name_only(database)
    workbook = new_workbook(
        "rsdesk audit workbook", shown_actor, f"Registers and audit log of {database}"
    )
    try:
        taken = {"cover", "lists"}
        cover = workbook.create_sheet("Cover")
        ids = st.WorkbookStyles(workbook)
        lists = sh.ListsSheet()
        summaries: list[SheetSummary] = []
        done_before = entries

        def sheet_progress(title: str, before: int) -> Any:
            return lambda done: progress(before + done, total, title)

        for spec, query in plan:
            summary = write_register_sheet(
                session,
                workbook,
                ids,
                lists,
                spec,
                query,
                title=sheet_title(spec.title, taken),
                pseudonymiser=pseudonymiser,
                progress=sheet_progress(spec.title, done_before),
                cancel=cancel,
                fast=fast,
                namer=lambda text: sheet_title(text, taken),
                max_rows=max_rows,
            )
            summaries.append(summary)
            done_before += summary.rows
        summaries.append(
            _write_audit_sheet(
                session,
                workbook,
                ids,
                title=sheet_title(AUDIT_SHEET, taken),
                pseudonymiser=pseudonymiser,
                progress=lambda done: progress(done_before + done, total, AUDIT_SHEET),
                cancel=cancel,
                fast=fast,
                namer=lambda text: sheet_title(text, taken),
                max_rows=max_rows,
            )
        )
        _write_cover(
            workbook,
            cover,
            ids,
            actor=shown_actor,
            database=database,
            when=when,
            latest=latest,
            entries=entries,
            chain=chain,
            sheets=summaries,
            pseudonymised=pseudonymiser is not None,
        )
        lists.write(workbook)
        cancel.raise_if_cancelled()
        save_atomically(workbook, out)
    except BaseException:
        sh.discard_workbook(workbook)  # nothing half-written left behind, even in /tmp
        raise
    return ExportResult(Path(out), tuple(summaries), pseudonymiser is not None)
