"""The staff register sorted by name as names read (folded: "Łukasz" among the L's), against the
plain ``ORDER BY full_name`` it replaced (which walks the name index but puts Ł, Ø and Ż after Z).

2,000 staff (a mid-sized institute; the 100,000 demo has 5,000), a fifth of them with accented
names. Times, as the table view reads them, the first page (80 ids) and every id in order (the
count), ascending and descending. The baseline is the same register with the name column sorted
on its stored value, in the same run on the same file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from typing import TYPE_CHECKING

from benchmarks.common import CACHE, Result, percentile

if TYPE_CHECKING:
    from pathlib import Path

    from rsdesk.db import Database
    from rsdesk.services.registers.base import RegisterSpec

STAFF = 2000
FIRST = ("Ada", "Łukasz", "María", "Søren", "Zoë", "Chen", "Émile", "Olga", "Ben", "Ines")
LAST = ("García", "Żółć", "Østergaard", "Lovelace", "Zimmer", "Wei", "Ångström", "Novak", "Smith")


def _database() -> Path:
    from rsdesk.db import open_database
    from rsdesk.models import StaffMember

    path = CACHE / f"staff-sort-{STAFF}.sqlite3"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = open_database(partial)
    rng = random.Random(1)
    with db.unit_of_work() as session:
        session.add_all(
            StaffMember(
                staff_number=f"B{number:05d}",
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                role_category="researcher",
                start_date=dt.date(2024, 1, 1),
            )
            for number in range(STAFF)
        )
    db.dispose()
    partial.replace(path)
    return path


def _times(db: Database, spec: RegisterSpec, limit: int | None) -> list[float]:
    from rsdesk.services.registers import base

    found = []
    with db.read() as session:
        for _ in range(10):
            for descending in (False, True):
                query = base.RegisterQuery(sort_key="full_name", descending=descending)
                started = time.perf_counter()
                base.ordered_ids(session, spec, query, limit)
                found.append(time.perf_counter() - started)
    return found


def run(size: int) -> list[Result]:
    from rsdesk.db import open_database
    from rsdesk.services import registers

    db = open_database(_database())
    try:
        folded = registers.get("staff")
        # Its own base function: the register's slim-query cache is keyed by the base.
        plain = dataclasses.replace(
            folded,
            base=lambda: folded.base(),
            columns=tuple(dataclasses.replace(c, sort_by=None) for c in folded.columns),
        )
        _times(db, folded, 80)  # warm-up: page cache, statement cache, folded names
        results = []
        for label, limit in (("first page", 80), ("all ids", None)):
            measured = percentile(_times(db, folded, limit), 0.95) * 1000
            baseline = percentile(_times(db, plain, limit), 0.95) * 1000
            results.append(
                Result(
                    f"staff register by name p95, {label}, {STAFF:,} staff (folded)",
                    measured,
                    "ms",
                    "ORDER BY full_name (before)",
                    baseline,
                    "p95 < 50 ms",
                    measured < 50,
                )
            )
        return results
    finally:
        db.dispose()
