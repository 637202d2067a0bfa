"""Dashboard: how long the morning figures take on the demo database, against two baselines.

The dashboard computes every figure with a few SQL aggregates (GROUP BY, SUM(CASE ...)) and the
training share from the training service's matrix. Baselines, measured in the same run:

* **figures** (``dashboard.compute``) vs *the obvious way*: one ``registers.count`` per tile
  with its drill-down filters, one COUNT per quarter for the chart, and the training service's
  compliance by department. Goal: at most that (ratio <= 1); the aggregates scan each table
  once instead of once per tile.
* **figures** vs *a plain read of the three columns of every collaboration* the collaboration
  figures need (status, risk level, review date), fetched to Python: the floor for computing
  them outside the database. Reported, with the goal ratio <= 1.5.
* **due soon** (``dashboard.due_soon`` over 30 days) vs the same plain read; goal ratio <= 0.5
  (it uses the date indexes and reads only the rows in the window).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Result, best_of, demo_database  # noqa: E402


def run(size: int) -> list[Result]:
    import datetime as dt

    from sqlalchemy import func, select

    from rsdesk.db import open_database
    from rsdesk.models import Appraisal, Collaboration
    from rsdesk.models.enums import AppraisalStatus
    from rsdesk.services import dashboard, registers, training
    from rsdesk.services.registers import RegisterQuery

    path = demo_database(size)
    db = open_database(path)
    with db.engine.begin() as connection:
        # A cached demo made before the index joined the schema (0001 is regenerated until the
        # first release) gets it here, so the figures measure the current schema.
        connection.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_appraisal_status_signed_off_at "
            "ON appraisal (status, signed_off_at)"
        )
    try:
        with db.read() as session:
            board = dashboard.compute(session)  # warm the caches once for every measurement
            counted = [f for f in board.figures if f.register is not None]

            def figures() -> None:
                dashboard.compute(session)

            def per_tile_counts() -> None:
                for figure in counted:
                    spec = registers.get(figure.register or "")
                    registers.count(session, spec, RegisterQuery(filters=dict(figure.filters)))
                for quarter in board.appraisals_by_quarter:
                    start = dt.datetime(quarter.year, quarter.quarter * 3 - 2, 1)
                    end = dt.datetime(
                        quarter.year + quarter.quarter // 4, quarter.quarter % 4 * 3 + 1, 1
                    )
                    session.scalar(
                        select(func.count()).where(
                            Appraisal.status == AppraisalStatus.SIGNED_OFF,
                            Appraisal.signed_off_at >= start,
                            Appraisal.signed_off_at < end,
                        )
                    )
                training.compliance_by_department(session)

            def plain_read() -> None:
                session.execute(
                    select(
                        Collaboration.status,
                        Collaboration.risk_level,
                        Collaboration.next_review_date,
                    )
                ).all()

            def due() -> None:
                dashboard.due_soon(session, days=30)

            compute_time = best_of(3, figures)
            counts_time = best_of(3, per_tile_counts)
            read_time = best_of(3, plain_read)
            due_time = best_of(3, due)
    finally:
        db.dispose()
        path.unlink(missing_ok=True)
    note = f"{size:,} collaborations; {len(counted)} counted tiles"
    results = [
        Result(
            "dashboard figures vs one query per figure",
            compute_time,
            baseline_name="a count per tile and quarter + compliance",
            baseline=counts_time,
            goal="ratio <= 1",
            note=note,
        ),
        Result(
            "dashboard figures vs plain read of collaborations",
            compute_time,
            baseline_name="SELECT 3 columns of every collaboration",
            baseline=read_time,
            goal="ratio <= 1.5",
            note=note,
        ),
        Result(
            "due-soon list (30 days) vs plain read",
            due_time,
            baseline_name="SELECT 3 columns of every collaboration",
            baseline=read_time,
            goal="ratio <= 0.5",
            note=note,
        ),
    ]
    for result, limit in zip(results, (1.0, 1.5, 0.5), strict=True):
        ratio = result.ratio
        result.met = ratio is not None and ratio <= limit
    return results
