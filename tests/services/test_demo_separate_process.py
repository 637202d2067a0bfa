"""Demo data generated in a second process (as large demos are) while this process writes it:
the same rows as in one process, a valid audit chain, and no child left behind on cancel or
failure."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from rsdesk.db import Database, open_database
from rsdesk.models import Collaboration
from rsdesk.services import audit, demo
from rsdesk.services.demo import pipe
from rsdesk.services.progress import Cancelled, CancelToken, no_progress

ANCHOR = dt.date(2026, 6, 15)
AUDIT_TABLES = {"audit_entry", "audit_head"}


def _generate(template: Path, path: Path, *, separate_process: bool) -> dict[str, list[tuple]]:
    shutil.copyfile(template, path)
    database = open_database(path)
    try:
        counts = demo.generate(
            database, size=400, seed=21, anchor=ANCHOR, separate_process=separate_process
        )
        assert counts["collaborations"] == 400
        with database.read() as session:
            assert audit.verify(session).ok
    finally:
        database.dispose()
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if name not in AUDIT_TABLES
        ]
        rows = {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            for table in tables
        }
        # The audit entries' content, which the child helps to prepare (their time and chain
        # differ between runs, and salted entries hash a random salt).
        rows["audit_entry"] = connection.execute(
            "SELECT id, table_name, record_id, action, changes, state_hash FROM audit_entry "
            "WHERE salts IS NULL ORDER BY id"
        ).fetchall()
        return rows
    finally:
        connection.close()


def _children() -> list[str]:
    """Command lines of this process's live demo generators."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if fields[0] == "Z" or int(fields[1]) != os.getpid():
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace")
        except OSError:
            continue
        if "rsdesk.services.demo.pipe" in command:
            found.append(command)
    return found


def test_a_second_process_generates_exactly_the_same_rows(
    sqlite_template: Path, tmp_path: Path
) -> None:
    alone = _generate(sqlite_template, tmp_path / "one.sqlite3", separate_process=False)
    split = _generate(sqlite_template, tmp_path / "two.sqlite3", separate_process=True)
    assert alone["collaboration"], "the demo wrote no collaborations"
    assert alone == split
    assert _children() == []


def test_cancel_stops_the_child_and_leaves_the_database_empty(db: Database) -> None:
    token = CancelToken()
    seen: list[str] = []

    def progress(done: int, total: int, message: str = "") -> None:
        seen.append(message)
        if "collaborations" in message:
            token.cancel()

    with db.read() as session:
        before = audit.entry_count(session)  # the catalogue's courses, put in on opening
    with pytest.raises(Cancelled):
        demo.generate(
            db, size=3000, seed=1, anchor=ANCHOR, progress=progress, cancel=token,
            separate_process=True,
        )  # fmt: skip
    assert any("departments" in message for message in seen), "no progress came from the child"
    assert _children() == []
    with db.read() as session:
        assert session.scalar(select(Collaboration.id).limit(1)) is None
        assert audit.entry_count(session) == before


def test_a_failing_write_stops_the_child_and_rolls_back(db: Database) -> None:
    class WriteFailed(Exception):
        pass

    def failing_writer(table_name: str, batch: object) -> None:
        if table_name == "collaboration":
            raise WriteFailed(table_name)

    plan = pipe.Plan(
        seed=1, size=3000, anchor=ANCHOR, actor="test", technology_areas=(),
        most_sensitive_areas=frozenset(), dual_use_codes=(),
    )  # fmt: skip
    with pytest.raises(WriteFailed):
        pipe.run_in_child(plan, failing_writer, no_progress, CancelToken())
    assert _children() == []


def test_an_error_in_the_child_is_raised_here(db: Database) -> None:
    # An anchor the sections cannot work with: the child's own exception reaches the caller.
    plan = pipe.Plan(
        seed=1, size=50, anchor="not a date",  # type: ignore[arg-type]
        actor="test", technology_areas=(), most_sensitive_areas=frozenset(), dual_use_codes=(),
    )  # fmt: skip
    with pytest.raises(TypeError):
        pipe.run_in_child(plan, lambda name, batch: None, no_progress, CancelToken())
    assert _children() == []


def test_a_second_process_on_every_engine(any_db: Database) -> None:
    counts = demo.generate(any_db, size=60, seed=3, anchor=ANCHOR, separate_process=True)
    assert counts["collaborations"] == 60
    with any_db.read() as session:
        assert session.scalar(select(Collaboration.id).order_by(Collaboration.id.desc())) == 60
        assert audit.verify(session).ok


def test_a_frozen_bundle_generates_in_its_own_process(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a PyInstaller bundle sys.executable is rsdesk itself, which cannot run ``-c``."""
    monkeypatch.setattr(demo, "SEPARATE_PROCESS_MIN_SIZE", 10)
    monkeypatch.setattr("sys.frozen", True, raising=False)

    def no_child(*args: object) -> None:
        raise AssertionError("a frozen bundle started a generator process")

    monkeypatch.setattr(demo, "run_in_child", no_child)
    counts = demo.generate(db, size=60, seed=3, anchor=ANCHOR)
    assert counts["collaborations"] == 60
    with db.read() as session:
        assert audit.verify(session).ok
