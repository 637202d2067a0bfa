"""Automatic daily backups and the integrity check on open."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from rsdesk import paths
from rsdesk.db import open_database
from rsdesk.db.backup import KEEP_BACKUPS, integrity_problems, prune_backups
from rsdesk.models import Department
from rsdesk.services import backup
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled
from tests.services.cancelling import CancelledAfter


def test_daily_backup_is_taken_once_a_day(db):
    with db.unit_of_work() as session:
        session.add(Department(name="Geology"))
    first = backup.daily_backup(db)
    assert first is not None
    assert first.exists()
    assert backup.daily_backup(db) is None
    later = backup.daily_backup(db, now=dt.datetime.now() + dt.timedelta(hours=25))
    assert later is not None
    assert later != first


def test_a_sound_database_passes_the_check_on_open(db):
    backup.check_on_open(db)


def test_a_damaged_database_names_the_latest_sound_backup(db):
    with db.unit_of_work() as session:
        for index in range(300):
            session.add(Department(name=f"Department {index:03d} " + "x" * 200))
    sound = backup.daily_backup(db)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    data = bytearray(db.path.read_bytes())
    for offset in range(8192, len(data) - 100, 4096):
        data[offset + 20 : offset + 60] = b"\xff" * 40
    db.path.write_bytes(bytes(data))
    with pytest.raises(KnownError, match="damaged") as caught:
        backup.check_on_open(db)
    assert str(sound) in str(caught.value)


def test_a_backup_is_one_file_that_stays_one_when_checked(db):
    with db.unit_of_work() as session:
        session.add(Department(name="Geology"))
    copy = backup.daily_backup(db)
    assert copy is not None
    assert not integrity_problems(copy)
    assert not [path.name for path in copy.parent.iterdir() if path.name.endswith(("wal", "shm"))]
    # Restored and opened, it is an ordinary rsdesk database again (write-ahead log on).
    restored = open_database(copy)
    try:
        with restored.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        restored.dispose()


def test_rotation_takes_the_side_files_of_old_backups_along(tmp_path):
    folder = paths.backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"rsdesk-202601{day:02d}-000000-daily.sqlite3" for day in range(1, KEEP_BACKUPS + 2)]
    for name in names:
        (folder / name).write_bytes(b"")
    (folder / (names[0] + "-wal")).write_bytes(b"")
    (folder / (names[0] + "-shm")).write_bytes(b"")
    prune_backups(folder / "rsdesk.sqlite3")
    assert not any(path.name.startswith(names[0]) for path in folder.iterdir())
    assert sorted(path.name for path in folder.iterdir()) == names[1:]


def test_a_full_rotation_keeps_the_oldest_until_the_new_backup_is_written(db):
    """Ten backups kept: a new one that fails (here, cancelled) must not cost the oldest."""
    assert db.path is not None
    folder = paths.backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    old = [folder / f"{db.path.stem}-202601{day:02d}-000000-daily.sqlite3" for day in range(1, 11)]
    for path in old[:KEEP_BACKUPS]:
        backup.backup(db, path)
        os.utime(path, (0, 0))  # long ago: a daily backup is due
    kept = sorted(folder.iterdir())
    with pytest.raises(Cancelled):
        backup.daily_backup(db, cancel=CancelledAfter(0))
    assert sorted(folder.iterdir()) == kept
    written = backup.daily_backup(db)
    assert written is not None
    assert written.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in kept[1:]] + [written.name]
    )


def _larger(db) -> None:
    """Some megabytes, so that the copy takes several steps and the check many."""
    with db.unit_of_work() as session:
        session.add_all(Department(name=f"Department {i} " + "x" * 2000) for i in range(6000))


def test_a_cancelled_daily_backup_leaves_nothing_behind(db):
    _larger(db)
    folder = paths.backup_dir()
    before = sorted(folder.iterdir()) if folder.exists() else []
    for token in (CancelledAfter(0), CancelledAfter(2)):
        with pytest.raises(Cancelled):
            backup.daily_backup(db, cancel=token)
        assert (sorted(folder.iterdir()) if folder.exists() else []) == before
    assert backup.daily_backup(db) is not None  # not cancelled: taken as usual


def test_a_cancelled_check_is_not_taken_for_damage(db):
    _larger(db)
    assert db.path is not None
    with pytest.raises(Cancelled):
        integrity_problems(db.path, cancel=CancelledAfter(3))
    with pytest.raises(Cancelled):
        backup.check_on_open(db, CancelledAfter(1))
    assert integrity_problems(db.path) == []
