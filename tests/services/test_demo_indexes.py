"""The demo builds plain indexes once at the end of its load: the schema must come out the same,
and a cancelled load must leave every index in place."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from rsdesk.db import open_database
from rsdesk.services import demo
from rsdesk.services.progress import Cancelled, CancelToken
from tests.conftest import fresh_sqlite

ANCHOR = dt.date(2026, 6, 15)


def _schema(path: Path) -> list[tuple[str, str, str, str]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        connection.close()


def _index_used(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM collaboration WHERE status = 'active'"
        ).fetchall()
        return " ".join(str(row[-1]) for row in plan)
    finally:
        connection.close()


def test_the_schema_and_its_indexes_are_the_same_after_a_demo(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)
    before = _schema(path)
    assert any(kind == "index" and sql for kind, _, _, sql in before)
    database = open_database(path)
    try:
        demo.generate(database, size=50, seed=4, anchor=ANCHOR)
    finally:
        database.dispose()
    assert _schema(path) == before
    assert "USING INDEX" in _index_used(path) or "USING COVERING INDEX" in _index_used(path)


def test_a_cancelled_demo_leaves_every_index(sqlite_template: Path, tmp_path: Path) -> None:
    path = fresh_sqlite(sqlite_template, tmp_path)
    before = _schema(path)
    token = CancelToken()

    def progress(done: int, total: int, message: str = "") -> None:
        if "appraisals" in message:
            token.cancel()

    database = open_database(path)
    try:
        with pytest.raises(Cancelled):
            demo.generate(database, size=50, seed=4, anchor=ANCHOR, progress=progress, cancel=token)
    finally:
        database.dispose()
    assert _schema(path) == before
