"""People: how fast the training matrix opens, and what the bulk completion path saves.

Data: the ``size``-collaboration demo database (one staff member per 20 collaborations, so the
100,000 demo has about 5,000 people and tens of thousands of training records). When the demo
command is not available, the people part of the demo is generated directly with the same
sections (departments, staff, people).

Baselines, measured in the same run:

* **matrix load** vs *a plain SELECT of every training record* (all columns, fetched to Python).
  Knowing everybody's status needs at least one pass over all records, so a full read of the
  table is the floor for any design that computes statuses from the records. The matrix
  aggregates in SQL (latest expiry per person and course) and adds the people query and the
  status rules; goal: at most 1.5 times the plain read.
* **bulk completion of 500 people** (``training.record_completions``: one executemany and one
  batch of audit entries) vs *the same 500 records added through the ORM* (one INSERT and one
  audit row at a time through the audit hook). Goal: at most half the ORM's time. Both run in a
  transaction that is rolled back, so the data stays the same.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from benchmarks.common import CACHE, Result, best_of, demo_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _people_database(size: int) -> Path:
    """The demo database, or the people sections of it when ``rsdesk demo`` is not built yet."""
    try:
        return demo_database(size)
    except (subprocess.CalledProcessError, OSError):
        pass
    path = CACHE / f"people-{size}.sqlite3"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    from rsdesk.db import open_database
    from rsdesk.models import TechnologyArea
    from rsdesk.services.demo import organisation
    from rsdesk.services.demo.context import DemoContext
    from rsdesk.services.demo.people import existing_courses, people

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = open_database(partial)
    with db.engine.begin() as connection:
        areas = connection.execute(
            select(TechnologyArea.code, TechnologyArea.most_sensitive).order_by(
                TechnologyArea.sort_order
            )
        ).all()
        ctx = DemoContext(
            connection,
            random.Random(1),
            dt.date.today(),
            "bench",
            size,
            technology_areas=tuple(code for code, _ in areas),
            most_sensitive_areas=frozenset(code for code, most in areas if most),
            dual_use_codes=tuple(str(n) for n in range(10)),
            existing_courses=existing_courses(connection),
        )
        organisation.departments(ctx)
        organisation.staff(ctx)
        people(ctx)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    partial.replace(path)
    return path


def run(size: int) -> list[Result]:
    from sqlalchemy import func

    from rsdesk.db import open_database
    from rsdesk.models import StaffMember, TrainingRecord
    from rsdesk.services import training

    path = _people_database(size)
    db = open_database(path)
    results: list[Result] = []
    try:
        with db.unit_of_work() as session:
            training.sync_courses(session)
        with db.read() as session:
            people = session.scalar(select(func.count()).select_from(StaffMember)) or 0
            records = session.scalar(select(func.count()).select_from(TrainingRecord)) or 0

            def plain_read() -> int:
                return len(session.execute(select(TrainingRecord)).all())

            def matrix_load() -> int:
                grid = training.matrix(session)
                training.compliance_by_department(session, grid.today, grid=grid)
                return len(grid.rows)

            plain_read()
            baseline = best_of(3, plain_read)
            measured = best_of(3, matrix_load)
        results.append(
            Result(
                "people: training matrix + compliance load",
                measured,
                baseline_name="SELECT all training records",
                baseline=baseline,
                goal="ratio <= 1.5",
                met=measured <= 1.5 * baseline,
                note=f"{people:,} staff, {records:,} training records",
            )
        )

        with db.read() as session:
            ids = list(
                session.scalars(
                    select(StaffMember.id)
                    .where(StaffMember.anonymised_at.is_(None))
                    .order_by(StaffMember.id)
                    .limit(500)
                )
            )
            course_id = training.course_by_code(session, "infosec").id
        day = dt.date.today() - dt.timedelta(days=3)

        def bulk() -> None:
            with db.engine.connect() as connection:
                from sqlalchemy.orm import Session

                session = Session(bind=connection, info={"actor": "bench"})
                try:
                    training.record_completions(session, ids, course_id, day, "BENCH")
                finally:
                    session.rollback()
                    session.close()

        def orm() -> None:
            with db.engine.connect() as connection:
                from sqlalchemy.orm import Session

                session = Session(bind=connection, info={"actor": "bench"})
                try:
                    expires = training.expiry(day, 12)
                    for staff_id in ids:
                        session.add(
                            TrainingRecord(
                                staff_id=staff_id,
                                course_id=course_id,
                                completed_on=day,
                                expires_on=expires,
                                certificate_ref="BENCH",
                            )
                        )
                    session.flush()
                finally:
                    session.rollback()
                    session.close()

        orm_time = best_of(3, orm)
        bulk_time = best_of(3, bulk)
        results.append(
            Result(
                f"people: bulk completion of {len(ids)} people",
                bulk_time,
                baseline_name="same records through the ORM",
                baseline=orm_time,
                goal="ratio <= 0.5",
                met=bulk_time <= 0.5 * orm_time,
            )
        )
    finally:
        db.dispose()
        if path.name.startswith("work-"):  # demo_database() hands out a private copy
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink(missing_ok=True)
    return results
