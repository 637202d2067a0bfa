"""``bulk_insert`` formats SQLite dates and times itself (``isoformat``, much faster than the
column types' processors): the stored text must be exactly what a Core insert stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Table, create_engine, insert, text

from rsdesk.db.bulk import bulk_insert

UTC_PLUS_2 = dt.timezone(dt.timedelta(hours=2))
VALUES = [
    (dt.date(2026, 6, 15), dt.datetime(2026, 6, 15, 9, 30, 5)),
    (dt.date(5, 1, 2), dt.datetime(2026, 6, 15, 9, 30, 5, 123)),
    (dt.datetime(2024, 2, 29, 23, 59, 59), dt.datetime(1999, 12, 31, 0, 0, 0, 999999)),
    (None, dt.datetime(2026, 6, 15, 9, 30, 5, tzinfo=UTC_PLUS_2)),
    (dt.date(9999, 12, 31), dt.date(2026, 1, 1)),
    (dt.date(2026, 1, 1), None),
]


def _stored(path: Path, *, bulk: bool) -> list[tuple[object, ...]]:
    metadata = MetaData()
    table = Table(
        "moments",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("day", Date),
        Column("at", DateTime),
    )
    engine = create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
        rows = [{"id": i, "day": day, "at": at} for i, (day, at) in enumerate(VALUES, 1)]
        with engine.begin() as connection:
            if bulk:
                bulk_insert(connection, table, rows)
            else:
                connection.execute(insert(table), rows)
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    text("SELECT id, quote(day), quote(at) FROM moments ORDER BY id")
                )
            ]
    finally:
        engine.dispose()


def test_dates_and_times_are_stored_as_a_core_insert_stores_them(tmp_path: Path) -> None:
    core = _stored(tmp_path / "core.sqlite3", bulk=False)
    assert core[0] == (1, "'2026-06-15'", "'2026-06-15 09:30:05.000000'")
    assert _stored(tmp_path / "bulk.sqlite3", bulk=True) == core
