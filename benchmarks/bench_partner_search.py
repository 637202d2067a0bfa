"""The partners quick filter, accent-blind, against the plain case-blind search it replaced.

Types ten words a letter at a time into the partners register of the demo database (20,000
partners and 29,000 other names at 100,000 collaborations) and times the first page (the 80 rows
a view shows at once) and every matching id (the count), as the table view reads them. The
baseline is the same register searching ``Partner.name`` and the aggregated other names with
``LIKE`` alone, as before the accent-blind search, in the same run on the same file.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from benchmarks.common import Result, demo_database, percentile

if TYPE_CHECKING:
    from rsdesk.db import Database
    from rsdesk.services.registers.base import RegisterSpec

WORDS = ("universidad", "cordoba", "zzq", "inst", "tech", "lab", "beijing", "u", "société", "wien")


def _times(db: Database, spec: RegisterSpec, limit: int | None) -> list[float]:
    from rsdesk.services.registers import base

    found = []
    with db.read() as session:
        for word in WORDS:
            for end in range(1, len(word) + 1):
                query = base.RegisterQuery(text=word[:end])
                started = time.perf_counter()
                base.ordered_ids(session, spec, query, limit)
                found.append(time.perf_counter() - started)
    return found


def run(size: int) -> list[Result]:
    from rsdesk.db import open_database
    from rsdesk.models import Partner
    from rsdesk.services import registers
    from rsdesk.services.registers.partners import other_names

    db = open_database(demo_database(size))
    try:
        accent_blind = registers.get("partners")
        case_blind = dataclasses.replace(accent_blind, search=(Partner.name, other_names))
        _times(db, accent_blind, 80)  # warm-up: page cache, statement cache
        results = []
        for label, limit in (("first page", 80), ("all ids", None)):
            measured = percentile(_times(db, accent_blind, limit), 0.95) * 1000
            baseline = percentile(_times(db, case_blind, limit), 0.95) * 1000
            results.append(
                Result(
                    f"partners quick filter p95, {label} (accent-blind)",
                    measured,
                    "ms",
                    "case-blind LIKE (before)",
                    baseline,
                    "p95 < 100 ms",
                    measured < 100,
                )
            )
        return results
    finally:
        db.dispose()
