"""Whatever bytes or CSV text arrive, the importer answers with a plan or a KnownError, never a
crash, and a refused import writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import AuditEntry, Collaboration
from rsdesk.services import audit, importers
from rsdesk.services.errors import KnownError

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "=1+1", "31.02.2024", "2024-01-01", "1.234,5", "Exchange", "joint_research", "-3"]
    ),
    st.integers(-10, 50_000).map(str),
)


def _entries(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def _attempt(db: Database, path: Path, format: str, skip: bool) -> None:
    before = _entries(db)
    try:
        with db.unit_of_work() as session:
            importers.run_import(session, path, format, "collaborations", skip_bad_rows=skip)
    except KnownError:
        assert _entries(db) == before, "a refused import wrote something"
    with db.read() as session:
        assert audit.verify(session).ok


@FUZZ
@given(data=st.binary(max_size=2000), format=st.sampled_from(["csv", "xlsx"]))
def test_random_bytes_never_crash_or_write(
    db: Database, tmp_path: Path, data: bytes, format: str
) -> None:
    path = tmp_path / f"fuzz.{format}"
    path.write_bytes(data)
    _attempt(db, path, format, skip=False)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["Title", "Kind", "Start", "End", "Funding", "Status", "Notes", "x"]),
        min_size=1,
        max_size=6,
    ),
    rows=st.lists(st.lists(cells, min_size=0, max_size=7), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    skip=st.booleans(),
)
def test_random_csv_never_crashes_and_writes_all_or_nothing(
    db: Database,
    tmp_path: Path,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    skip: bool,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with db.read() as session:
        existing = session.scalar(select(func.count()).select_from(Collaboration)) or 0
    _attempt(db, path, "csv", skip)
    with db.read() as session:
        now = session.scalar(select(func.count()).select_from(Collaboration)) or 0
    assert now >= existing
