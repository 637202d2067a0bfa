"""Backups of an encrypted database: taken encrypted, checked with the passphrase, restored whole."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)

from rsdesk import paths
from rsdesk.db import Database, encryption, open_database
from rsdesk.models import Department
from rsdesk.services import backup, collaborations, demo
from rsdesk.services import encryption as protection
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled
from tests.services.cancelling import CancelledAfter

PASSPHRASE = "correct horse battery"


@pytest.fixture
def encrypted(db_path: Path) -> tuple[Path, dict[str, int]]:
    database = open_database(db_path)
    try:
        demo.generate(database, size=12)
    finally:
        database.dispose()
    counts = protection.encrypt_in_place(db_path, PASSPHRASE).counts
    return db_path, counts


def _open(path: Path) -> Database:
    return open_database(path, passphrase=PASSPHRASE, lock_writes=True)


def test_the_daily_backup_and_the_check_on_open_work_on_an_encrypted_file(
    encrypted: tuple[Path, dict[str, int]],
) -> None:
    path, _counts = encrypted
    database = _open(path)
    try:
        backup.check_on_open(database)  # no error: the sound encrypted file passes
        taken = backup.daily_backup(database)
    finally:
        database.dispose()
    assert taken is not None
    assert encryption.is_encrypted(taken)
    assert [p.name for p in taken.parent.iterdir()] == [taken.name]  # no leftovers
    assert not encryption.integrity_problems(taken, PASSPHRASE)


def test_a_restore_of_an_encrypted_backup_keeps_every_record(
    encrypted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    path, counts = encrypted
    database = _open(path)
    saved = tmp_path / "saved.sqlite3"
    try:
        backup.backup(database, saved)
        with database.unit_of_work() as session:  # a record added after the backup
            collaborations.create(
                session,
                collaborations.CollaborationInput(
                    title="After the backup", kind="joint_research", status="active"
                ),
            )
    finally:
        database.dispose()

    with pytest.raises(KnownError, match="give its passphrase"):
        backup.restore(str(path), saved)
    with pytest.raises(KnownError, match="Wrong passphrase"):
        backup.restore(str(path), saved, "not the passphrase")
    aside = backup.restore(str(path), saved, PASSPHRASE)

    assert encryption.is_encrypted(path)
    assert encryption.is_encrypted(aside)
    restored = _open(path)
    try:
        assert protection.table_counts(restored) == counts
    finally:
        restored.dispose()


def test_a_damaged_encrypted_backup_is_refused(
    encrypted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    path, _counts = encrypted
    database = _open(path)
    saved = tmp_path / "saved.sqlite3"
    try:
        backup.backup(database, saved)
    finally:
        database.dispose()
    data = bytearray(saved.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # a damaged page: SQLCipher's check fails
    saved.write_bytes(bytes(data))
    before = path.read_bytes()

    with pytest.raises(KnownError, match="it was not restored|cannot be restored|damaged"):
        backup.restore(str(path), saved, PASSPHRASE)

    assert path.read_bytes() == before
    assert not list(path.parent.glob("*before-restore*"))


def test_upgrading_an_encrypted_release_database_backs_it_up_encrypted(tmp_path: Path) -> None:
    releases = sorted(
        (Path(__file__).parents[1] / "fixtures" / "databases").glob("rsdesk-*.sqlite3")
    )
    assert releases, "the 0.1.0 release database is committed under tests/fixtures/databases"
    old = tmp_path / "old.sqlite3"
    encryption.encrypt_copy(releases[0], old, PASSPHRASE)

    database = open_database(old, passphrase=PASSPHRASE)  # upgrades to this version's schema
    try:
        backup.check_on_open(database)
    finally:
        database.dispose()

    taken = backup.backups_of(old)
    assert [p.name.endswith("-pre-upgrade.sqlite3") for p in taken] == [True]
    assert encryption.is_encrypted(taken[0])
    assert not encryption.integrity_problems(taken[0], PASSPHRASE)


def test_closing_during_an_encrypted_backup_or_check_leaves_nothing_behind(db_path: Path) -> None:
    """The start-up check and daily backup of an encrypted file stop when rsdesk closes, as a
    plain file's do: Cancelled, never taken for damage, no partial copy in the folder."""
    database = open_database(db_path)
    try:
        demo.generate(database, size=12)
        with database.unit_of_work() as session:  # megabytes: the copy and check take a while
            session.add_all(Department(name=f"Unit {i} " + "x" * 2000) for i in range(6000))
    finally:
        database.dispose()
    protection.encrypt_in_place(db_path, PASSPHRASE)
    database = _open(db_path)
    try:
        folder = paths.backup_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for looks in (0, 1, 3):  # at once, during the copy, during the copy's check
            with pytest.raises(Cancelled):
                backup.daily_backup(database, cancel=CancelledAfter(looks))
            assert list(folder.iterdir()) == []
        with pytest.raises(Cancelled):
            backup.check_on_open(database, CancelledAfter(1))
        backup.check_on_open(database)
        taken = backup.daily_backup(database)
    finally:
        database.dispose()
    assert taken is not None
    assert [p.name for p in folder.iterdir()] == [taken.name]
