"""Automatic daily backups and the integrity check on open."""

from __future__ import annotations

import datetime as dt

import pytest

from rsdesk.models import Department
from rsdesk.services import backup
from rsdesk.services.errors import KnownError


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
