"""`rsdesk db copy`: moving a whole database, against verifying its audit trail once.

Data: the ``size``-collaboration demo database (benchmarks.common.demo_database). Measured in this
process, once each (a copy needs an empty target):

* **copy to a file**: ``database_copy.copy_database`` into a new SQLite file (schema by the
  migrations, every row, sequences, then counts and the whole audit chain verified);
* **copy to PostgreSQL** (when ``RSDESK_TEST_DATABASE_URL`` names a server): the same into a new
  database on it, dropped afterwards.

Baseline: ``audit.verify`` of the same data on the same kind of database, which every copy runs
once on its target. Goal: a copy costs at most 3x that verification (reading, writing and
checking each row once or twice).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from benchmarks.common import Result, demo_database, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL = 3.0


def _verify_seconds(url: object) -> float:
    from rsdesk.db import open_database
    from rsdesk.services import audit

    database = open_database(url)  # type: ignore[arg-type]
    try:
        with database.read() as session:
            seconds, result = timed(lambda: audit.verify(session))
        assert result.ok, result.problem
        return seconds
    finally:
        database.dispose()


def _result(name: str, copy: float, verify: float, rows: int) -> Result:
    ratio = copy / verify
    return Result(
        name,
        copy,
        baseline_name="audit verify of the copy",
        baseline=verify,
        goal=f"ratio <= {GOAL}",
        met=ratio <= GOAL,
        note=f"{rows:,} rows",
    )


def run(size: int) -> list[Result]:
    from sqlalchemy import create_engine, text

    from rsdesk.db import open_database
    from rsdesk.db.engine import resolve_url
    from rsdesk.services import database_copy

    folder = Path(tempfile.mkdtemp(prefix="bench-db-copy-"))
    results = []
    source = open_database(demo_database(size))
    try:
        target = resolve_url(str(folder / "copy.sqlite3"))
        seconds, copied = timed(lambda: database_copy.copy_database(source, target))
        results.append(_result("db copy to a file", seconds, _verify_seconds(target), copied.rows))
        server = os.environ.get("RSDESK_TEST_DATABASE_URL")
        if server:
            name = f"rsdesk_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(
                resolve_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                target = resolve_url(server).set(database=name)
                seconds, copied = timed(lambda: database_copy.copy_database(source, target))
                results.append(
                    _result("db copy to PostgreSQL", seconds, _verify_seconds(target), copied.rows)
                )
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    finally:
        path = source.path
        source.dispose()
        if path is not None:
            path.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
    return results
