"""Register listings as PDF, for any register and filter: landscape, header row on every page,
"page X of Y", the query described under the title, and the stamp of what it was made from.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import NextPageTemplate, Paragraph, Spacer
from sqlalchemy.orm import Session

from rsdesk.services import access, audit, audit_history, registers
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.registers.base import (
    DATE,
    DATETIME,
    Column,
    RegisterQuery,
    RegisterSpec,
    with_default_filters,
)
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf import document, fonts, styles, tables

PAGE = landscape(A4)


#: Typical widths in characters where print needs more than the view: the audit log's changed
#: fields run to whole sentences ("Status: Draft → Approved; …") and scroll in the view.
PRINT_WIDTHS: dict[tuple[str, str], int] = {
    ("audit_log", "changes"): 110,
    ("screening", "note"): 40,  # the verdict's reason: what an auditor reads the listing for
}
#: Kinds of column that keep their natural width: a date or a time never wraps.
_FIXED_KINDS = frozenset({DATE, DATETIME})


def layout_for(spec: RegisterSpec, keys: Sequence[str] | None, width: float) -> tables.TableLayout:
    """Column widths from the spec's typical widths in characters, fitted to ``width`` points.

    Narrow columns (codes, dates, amounts) keep their natural width so that they never wrap;
    wide text columns give up space, and wrap.
    """
    columns = [spec.column(k) for k in keys] if keys else [c for c in spec.columns if c.in_print]
    typical = [PRINT_WIDTHS.get((spec.name, c.key), c.width) for c in columns]
    natural = [w * 4.4 + 2 * tables.PADDING for w in typical]
    flexible = [
        w > 15 and c.kind not in _FIXED_KINDS and not c.unbroken for w, c in zip(typical, columns)
    ]
    fixed = sum(n for n, f in zip(natural, flexible) if not f)
    wide = sum(n for n, f in zip(natural, flexible) if f)
    if wide and fixed < width:
        factor = (width - fixed) / wide
        widths = [n * factor if f else n for n, f in zip(natural, flexible)]
    else:
        widths = [n * width / sum(natural) for n in natural]
    needed = [_widest_word(c) + 2 * tables.PADDING + 1 for c in columns]
    widths = _fit_words(widths, needed, flexible)
    return tables.TableLayout(
        tuple(c.label for c in columns),
        tuple(widths),
        tuple(c.kind for c in columns),
        tuple(c.empty_text for c in columns),
    )


def _widest_word(column: Column) -> float:
    """The widest word the column prints whole: of its header (bold), of its choices' labels
    ("Approved with conditions" broke into "condition-s") and of what an empty cell says."""
    widths = [stringWidth(w, fonts.BOLD, tables.FONT_SIZE) for w in column.label.split()]
    texts = [styles.label(choice) for choice in column.choices] if column.kind in _LABELLED else []
    texts.append(column.empty_text)
    widths += [
        stringWidth(word, fonts.BASE, tables.FONT_SIZE) for text in texts for word in text.split()
    ]
    return max(widths, default=0.0)


#: Column kinds whose values print as their labels (tables.format_value).
_LABELLED = frozenset({"enum", "status", "risk"})


def _fit_words(
    widths: list[float], needed: Sequence[float], flexible: Sequence[bool]
) -> list[float]:
    """Widens a column narrower than its widest word (header "Collaborations" broke into
    "Collabor-ations"), taking the room from the wide text columns in proportion."""
    extra = sum(max(0.0, need - w) for need, w in zip(needed, widths))
    donors = sum(w for w, f, need in zip(widths, flexible, needed) if f and w > need)
    if extra == 0 or donors <= extra:
        return widths
    factor = (donors - extra) / donors
    return [
        max(w, need) if not (f and w > need) else max(need, w * factor)
        for w, f, need in zip(widths, flexible, needed)
    ]


def register_story(
    session: Session,
    spec: RegisterSpec,
    query: RegisterQuery,
    layout: tables.TableLayout,
    keys: Sequence[str],
    *,
    continued_template: str,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[list[Any], int]:
    """Flowables of a register table (header row, then chunks), and the number of rows."""
    total = registers.count(session, spec, query)
    story: list[Any] = [tables.header_table(layout), NextPageTemplate(continued_template)]
    rows: Iterable[Sequence[Any]] = (
        row[1:] for row in registers.iterate(session, spec, query, keys=keys)
    )
    note = tables.DEFAULT_OVERFLOW_NOTE
    if spec.name == AUDIT_REGISTER and "changes" in keys:
        rows = audit_rows_in_words(session, rows, keys)
        note = AUDIT_OVERFLOW_NOTE
    story.extend(
        tables.chunked_tables(
            rows, layout, total=total, progress=progress, cancel=cancel, overflow_note=note
        )
    )
    return story, total


AUDIT_REGISTER = "audit_log"
AUDIT_OVERFLOW_NOTE = "full entry in the Audit log view and its Excel export"
#: Audit entries described together (their references are looked up in one query per table).
_AUDIT_BATCH = 500


def audit_rows_in_words(
    session: Session, rows: Iterable[Sequence[Any]], keys: Sequence[str]
) -> Iterator[list[Any]]:
    """Audit-log rows with the changed fields in words, as the History tabs show them:
    "Status: Draft → Approved; Lead: — → Ada Lovelace", the pseudonym secret redacted as in
    every export. Without the table and record columns the changes print as JSON."""
    from rsdesk.services.reports.xlsx.audit_privacy import AuditChangesCleaner

    clean = AuditChangesCleaner(session)
    changes_at = keys.index("changes")
    named = all(k in keys for k in ("table_name", "record_id"))
    iterator = iter(rows)
    while batch := [list(row) for row in islice(iterator, _AUDIT_BATCH)]:
        if not named:
            for row in batch:
                row[changes_at] = json.dumps(row[changes_at], ensure_ascii=False, sort_keys=True)
            yield from batch
            continue
        table_at, record_at = keys.index("table_name"), keys.index("record_id")
        action_at = keys.index("action") if "action" in keys else None
        by_table: dict[str, list[tuple[list[Any], audit.HistoryItem]]] = {}
        for row in batch:
            changes = clean(row[table_at], row[record_at], row[changes_at]) or {}
            triples = tuple(
                (name, *(pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)))
                for name, pair in sorted(changes.items())
            )
            action = str(row[action_at]) if action_at is not None else "update"
            item = audit.HistoryItem(0, dt.datetime.min, "", action, triples)
            by_table.setdefault(str(row[table_at]), []).append((row, item))
        for table_name, pairs in by_table.items():
            entries = audit_history.describe(session, table_name, [item for _, item in pairs])
            for (row, _), entry in zip(pairs, entries, strict=True):
                row[changes_at] = changes_in_words(entry)
        yield from batch


def changes_in_words(entry: audit_history.ReadableEntry) -> str:
    """One entry's changes on one line: "Label: old → new", or the value alone where the other
    side is empty because the record was created or removed."""
    parts = []
    for change in entry.changes:
        if entry.action == "insert" or change.new == change.old:
            value = change.new
        elif entry.action == "delete":
            value = change.old
        else:
            value = f"{change.old} \u2192 {change.new}"
        parts.append(f"{change.label}: {value}")
    return "; ".join(parts)


def build_listing(
    session: Session,
    spec: RegisterSpec,
    query: RegisterQuery,
    stamp: dict[str, Any],
    *,
    keys: Sequence[str] | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> bytes:
    fonts.register()
    sheet = styles.sheet()
    width = PAGE[0] - 2 * document.MARGIN
    layout = layout_for(spec, keys, width)
    keys = list(keys) if keys else [c.key for c in spec.columns if c.in_print]
    title = f"{spec.title}: register listing"
    context = document.ReportContext(
        title=title,
        header_right=query.describe(spec, session),
        footer_stamp=archive.stamp_line(stamp),
    )
    first, continued = tables.band_templates(PAGE, layout, "first", "continued")
    body, total = register_story(
        session,
        spec,
        query,
        layout,
        keys,
        continued_template="continued",
        progress=progress,
        cancel=cancel,
    )
    story: list[Any] = [
        Paragraph(fonts.markup(title, bold=True), sheet["h1"]),
        Paragraph(
            fonts.markup(
                f"{total:,} records \u00b7 {query.describe(spec, session)} \u00b7 generated "
                f"{stamp.get('generated_at', '')}"
            ),
            sheet["muted"],
        ),
        Spacer(1, 6),
    ]
    if total == 0:
        story.append(Paragraph("No records match this selection.", sheet["body"]))
    else:
        story.extend(body)
    return document.build(
        story,
        context,
        [first, continued],
        title=title,
        author=str(stamp.get("author", "rsdesk")),
        subject=f"{spec.title} ({query.describe(spec, session)})",
        progress=progress,
        cancel=cancel,
    )


def generate_listing(
    session: Session,
    register_name: str,
    query: RegisterQuery,
    *,
    database_name: str,
    actor: str,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[int, bytes]:
    """Builds, stamps and archives a listing; returns ``(archive id, PDF bytes)``. The
    register's default filters apply unless the query names them (``KEY=all`` lifts one), as
    the register's view opens with them."""
    spec = registers.get(register_name)
    query = with_default_filters(spec, query)
    from rsdesk.services.reports.xlsx.registers import holds_personal_data

    access.require(session, access.Capability.REPORTS)
    if holds_personal_data(spec):  # a listing of people leaves the office like an export
        access.require(session, access.Capability.EXPORT_PERSONAL)
    stamp = archive.make_stamp(session, database_name)
    stamp["author"] = actor
    content = build_listing(session, spec, query, stamp, progress=progress, cancel=cancel)
    cancel.raise_if_cancelled()  # a Cancel during the last page: nothing archived
    title = f"{spec.title} listing ({query.describe(spec, session)})"
    report_id = archive.archive(session, "listing", title, content, stamp, actor)
    return report_id, content
