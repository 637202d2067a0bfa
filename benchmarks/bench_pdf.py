"""PDF reports: the annual report on the demo database, and a 10,000-row register listing.

* ``annual report (N collaborations)``: seconds to gather, lay out, stamp and archive the annual
  report of last year on the ``size``-collaboration demo, appendix included. Baseline: laying
  out the same report without its appendix (no queries, no audit verification); the full audit
  verification the audit statement needs is reported on its own line.
* ``register listing 10,000 rows``: our listing (query, cells, layout, page X of Y) as a ratio to
  the same query and cells in one reportlab LongTable, built in the same run (goal <= 0.35).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from benchmarks.common import Result, demo_database, timed

LISTING_ROWS = 10_000


def _annual(size: int) -> list[Result]:
    from rsdesk.db import open_database
    from rsdesk.services import audit
    from rsdesk.services.reports import archive
    from rsdesk.services.reports.pdf import annual

    path = demo_database(size)
    db = open_database(path)
    year = dt.date.today().year - 1
    try:
        with db.unit_of_work() as session:
            seconds, (_, content) = timed(
                lambda: annual.generate_annual(
                    session, year, database_name=str(path), actor="bench"
                )
            )
        with db.read() as session:
            stamp = archive.make_stamp(session, str(path))
            data = annual.gather(session, year)

            def without_appendix() -> bytes:
                original = annual._appendix
                annual._appendix = lambda *args, **kwargs: []  # type: ignore[assignment]
                try:
                    return annual.build_annual(session, data, stamp)
                finally:
                    annual._appendix = original  # type: ignore[assignment]

            base_seconds, _ = timed(without_appendix)
            verify_seconds, verified = timed(lambda: audit.verify(session))
    finally:
        db.dispose()
        path.unlink(missing_ok=True)
    pages = content.count(b"/Type /Page\n") or content.count(b"/Type /Page")
    return [
        Result(
            f"annual report {year} ({size:,} collaborations, appendix)",
            seconds,
            baseline_name="layout only, no appendix",
            baseline=base_seconds,
            note=f"{len(content) / 1e6:.1f} MB, about {pages} pages",
        ),
        Result(
            "  of which: audit.verify for the audit statement",
            verify_seconds,
            note=f"{verified.entries_checked:,} entries, {verified.records_checked:,} records",
        ),
    ]


def _longtable(rows: list[tuple[Any, ...]], layout: Any) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import LongTable, SimpleDocTemplate

    from rsdesk.services.reports.pdf import document, styles, tables

    maker = tables.CellMaker(layout)
    header = tables.header_table(layout)._cellvalues[0]
    body = [header] + [maker.row(row) for row in rows]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=document.MARGIN,
        rightMargin=document.MARGIN,
        topMargin=document.MARGIN,
        bottomMargin=document.MARGIN,
    )
    doc.build(
        [
            LongTable(
                body,
                colWidths=list(layout.widths),
                repeatRows=1,
                style=styles.table_style(header_rows=1),
            )
        ]
    )
    return buffer.getvalue()


def _listing(size: int) -> list[Result]:
    from sqlalchemy import select

    from rsdesk.db import open_database
    from rsdesk.models import Collaboration
    from rsdesk.services import registers
    from rsdesk.services.registers.base import RegisterQuery
    from rsdesk.services.reports import archive
    from rsdesk.services.reports.pdf import document, fonts, listing

    fonts.register()
    path = demo_database(size if size >= LISTING_ROWS else 20_000)
    db = open_database(path)
    try:
        with db.read() as session:
            ids = tuple(
                session.scalars(
                    select(Collaboration.id).order_by(Collaboration.id).limit(LISTING_ROWS)
                )
            )
            query = RegisterQuery(ids=ids, include_archived=True)
            spec = registers.get("collaborations")
            stamp = archive.make_stamp(session, str(path))
            seconds, content = timed(lambda: listing.build_listing(session, spec, query, stamp))
            keys = [c.key for c in spec.columns if c.visible]
            layout = listing.layout_for(spec, None, listing.PAGE[0] - 2 * document.MARGIN)

            def naive() -> int:
                # the same query and cells (Paragraphs where a fallback font is needed), one table
                rows = [row[1:] for row in registers.iterate(session, spec, query, keys=keys)]
                _longtable(rows, layout)
                return len(rows)

            base_seconds, count = timed(naive)
    finally:
        db.dispose()
        path.unlink(missing_ok=True)
    return [
        Result(
            f"register listing {count:,} rows (row blocks)",
            seconds,
            baseline_name="same query, one LongTable",
            baseline=base_seconds,
            goal="ratio <= 0.35",
            met=seconds / base_seconds <= 0.35,
            note=f"{len(content) / 1e6:.1f} MB",
        )
    ]


def run(size: int) -> list[Result]:
    return _listing(size) + _annual(size)


if __name__ == "__main__":
    import sys

    for result in run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000):
        print(result)
