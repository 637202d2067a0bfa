"""The demo loads a SQLite file with a rollback journal instead of WAL (half the writing), and
the file must come out of it in WAL mode whatever happens: success, cancel, another connection
holding the file, or a process killed half-way."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk.db import open_database
from rsdesk.models import Department
from rsdesk.services import audit, demo
from rsdesk.services.progress import Cancelled, CancelToken
from tests.conftest import fresh_sqlite, journal_mode

ANCHOR = dt.date(2026, 6, 15)


def _journal_files(path: Path) -> set[str]:
    """Which of the write-ahead log and the rollback journal exist next to ``path`` now."""
    return {suffix for suffix in ("-wal", "-journal") if Path(f"{path}{suffix}").exists()}


def _load(
    path: Path,
    *,
    exclusive_load: bool,
    cancel_midway: bool = False,
    then: Callable[[Session], None] | None = None,
) -> list[set[str]]:
    """A 200-collaboration demo load into ``path``; returns the journal files seen half-way.
    ``then`` runs on a read session of the same database after the load (or its cancel)."""
    token = CancelToken()
    seen: list[set[str]] = []

    def progress(done: int, total: int, message: str = "") -> None:
        if "appraisals" in message:
            seen.append(_journal_files(path))
            if cancel_midway:
                token.cancel()

    database = open_database(path)
    try:
        with pytest.raises(Cancelled) if cancel_midway else nullcontext():
            demo.generate(
                database,
                size=200,
                seed=3,
                anchor=ANCHOR,
                progress=progress,
                cancel=token,
                exclusive_load=exclusive_load,
            )
        if then is not None:
            with database.read() as session:
                then(session)
    finally:
        database.dispose()
    return seen


def test_the_load_uses_a_rollback_journal_and_the_file_ends_in_wal_mode(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)

    def intact(session: Session) -> None:
        assert audit.verify(session).ok

    assert _load(path, exclusive_load=True, then=intact) == [{"-journal"}]
    assert journal_mode(path) == "wal"


def test_a_cancelled_load_leaves_the_file_empty_and_in_wal_mode(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)

    def empty(session: Session) -> None:
        assert session.scalar(select(func.count()).select_from(Department)) == 0

    seen = _load(path, exclusive_load=True, cancel_midway=True, then=empty)
    assert seen == [{"-journal"}]
    assert journal_mode(path) == "wal"
    assert "-journal" not in _journal_files(path)


def test_without_an_exclusive_load_the_file_stays_in_wal_mode(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The GUI's first run loads sample data while its views may read."""
    path = fresh_sqlite(sqlite_template, tmp_path)
    assert _load(path, exclusive_load=False) == [{"-wal"}]


def test_with_another_connection_open_the_load_stays_in_wal_mode(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)
    reader = sqlite3.connect(path)  # a GUI's reader, say: the file is not the demo's alone
    try:
        assert reader.execute("SELECT count(*) FROM department").fetchone() == (0,)
        seen = _load(path, exclusive_load=True)
        assert reader.execute("SELECT count(*) FROM department").fetchone()[0] > 0
    finally:
        reader.close()
    assert seen == [{"-wal"}]
    assert journal_mode(path) == "wal"


_KILLED_HALF_WAY = """
import os, signal, sys
from sqlalchemy import insert
from rsdesk.db import open_database
from rsdesk.db.engine import rollback_journal_for_load
from rsdesk.models import Department
database = open_database(sys.argv[1])
with rollback_journal_for_load(database.engine) as switched, database.unit_of_work() as session:
    assert switched
    session.execute(insert(Department), [{"name": f"D{i}", "code": f"D{i}"} for i in range(500)])
    session.connection().exec_driver_sql("PRAGMA cache_spill = 1")
    session.connection().exec_driver_sql("PRAGMA shrink_memory")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_load_killed_half_way_is_rolled_back_and_the_next_open_restores_wal(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_HALF_WAY, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _journal_files(path) == {"-journal"}  # the file is in rollback mode, journal hot

    database = open_database(path)
    try:
        assert journal_mode(path) == "wal"
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(Department)) == 0
            assert audit.verify(session).ok
    finally:
        database.dispose()
    assert "-journal" not in _journal_files(path)
