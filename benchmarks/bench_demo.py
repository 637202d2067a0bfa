"""Demo generation of ``size`` collaborations, against raw sqlite3 inserting the same rows.

1. ``rsdesk.services.demo.generate`` in a fresh interpreter (database opened and migrated
   beforehand, so the figure is the generation itself, audit entries included).
2. Baseline: plain ``sqlite3`` ``executemany`` of exactly the rows the demo wrote (every business
   table, same row count, no audit entries, same pragmas), in one transaction.
3. ``rsdesk audit verify`` on the generated database: time and peak memory.

The issue's targets: generation of 100,000 collaborations in under a minute on the 2-core
development machine; verify well under a minute and under about 1 GB.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.common import CACHE, Result, cached_demo, run_in_subprocess

SEED = 1
AUDIT_TABLES = ("audit_entry", "audit_head")

GENERATE = """
import json, resource, sys, time
from rsdesk.db import open_database
from rsdesk.services import demo
db = open_database(sys.argv[1] if len(sys.argv) > 1 else {path!r})
def cpu_time():  # this process and the generating child (large demos), once it has ended
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime
cpu, started = cpu_time(), time.perf_counter()
counts = demo.generate(db, size={size}, seed={seed}, exclusive_load=True)  # as `rsdesk demo`
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": cpu_time() - cpu,
                  "counts": counts,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
db.dispose()
"""

VERIFY = """
import json, resource, time
from rsdesk.db import open_database
from rsdesk.services import audit
db = open_database({path!r})
cpu, started = time.process_time(), time.perf_counter()
with db.read() as session:
    result = audit.verify(session)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                  "ok": result.ok,
                  "entries": result.entries_checked,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
db.dispose()
"""

EMPTY = """
from rsdesk.db import open_database
open_database({path!r}).dispose()
"""


def run(size: int) -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    try:
        demo_path = folder / "demo.sqlite3"
        empty_path = folder / "empty.sqlite3"
        run_in_subprocess(EMPTY.format(path=str(empty_path)))
        generated = json.loads(
            run_in_subprocess(GENERATE.format(path=str(demo_path), size=size, seed=SEED)).stdout
        )
        # What else the machine was doing: on a shared box the wall time says more about it than
        # about rsdesk, the CPU time does not.
        load = os.getloadavg()[1]
        _checkpoint(demo_path)
        rows, baseline = _raw_inserts(demo_path, empty_path, folder / "raw.sqlite3")
        verified = json.loads(run_in_subprocess(VERIFY.format(path=str(demo_path))).stdout)
        _offer_to_cache(demo_path, size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    seconds = generated["seconds"]
    entries = verified["entries"]
    return [
        Result(
            f"demo generate, {size:,} collaborations",
            seconds,
            baseline_name="sqlite3 executemany, same rows, no audit",
            baseline=baseline,
            goal="< 60 s",
            met=seconds < 60,
            note=(
                f"{rows:,} rows + {entries:,} audit entries; CPU {generated['cpu']:.1f} s; "
                f"peak {generated['peak_mb']:.0f} MB; load average {load:.1f} on "
                f"{os.cpu_count()} cores"
            ),
        ),
        Result(
            f"audit verify, {entries:,} entries",
            verified["seconds"],
            baseline_name="demo generate",
            baseline=seconds,
            goal="< 60 s, intact",
            met=verified["seconds"] < 60 and verified["ok"],
            note=f"CPU {verified['cpu']:.1f} s",
        ),
        Result(
            "audit verify peak memory",
            verified["peak_mb"],
            unit="MB",
            goal="< 1024 MB",
            met=verified["peak_mb"] < 1024,
        ),
    ]


def _checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _raw_inserts(source: Path, empty: Path, target: Path) -> tuple[int, float]:
    """Insert every business row of ``source`` into a copy of the empty schema, timed."""
    shutil.copyfile(empty, target)
    reading = sqlite3.connect(source)
    writing = sqlite3.connect(target, isolation_level=None)
    try:
        writing.execute("PRAGMA journal_mode = WAL")
        writing.execute("PRAGMA synchronous = NORMAL")
        writing.execute("PRAGMA foreign_keys = ON")
        tables = _tables_in_dependency_order(reading)
        data = {}
        for table in tables:
            cursor = reading.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
            columns = [d[0] for d in cursor.description]
            data[table] = (columns, cursor.fetchall())
        for table in reversed(tables):  # reference rows the schema came with
            writing.execute(f'DELETE FROM "{table}"')
        started = time.perf_counter()
        writing.execute("BEGIN IMMEDIATE")
        for table in tables:
            columns, rows = data[table]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            writing.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        writing.execute("COMMIT")
        elapsed = time.perf_counter() - started
        return sum(len(rows) for _, rows in data.values()), elapsed
    finally:
        reading.close()
        writing.close()


def _tables_in_dependency_order(connection: sqlite3.Connection) -> list[str]:
    from rsdesk.models import Base

    present = {
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    return [
        table.name
        for table in Base.metadata.sorted_tables
        if table.name in present and table.name not in AUDIT_TABLES
    ]


def _offer_to_cache(path: Path, size: int) -> None:
    """The same database ``benchmarks.common.demo_database(size)`` builds: save it the work."""
    cached = cached_demo(size, SEED)
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        shutil.copyfile(path, partial)
        partial.replace(cached)
