"""Protecting a database file in place, removing the protection, changing the passphrase.

Real files throughout: the records are counted and read back, the bytes are searched for a
record's text, the writer lock is a real OS lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)
from sqlalchemy import select

from rsdesk.db import Database, encryption, open_database
from rsdesk.db.lock import WriterLock
from rsdesk.models import Collaboration
from rsdesk.services import audit, collaborations, demo
from rsdesk.services import encryption as protection
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled, CancelToken

SECRET = "Qwertzuiop hypersonic scramjet testing with Example Aerospace 8812"
PASSPHRASE = "correct horse battery"


def _filled(path: Path) -> dict[str, int]:
    """Sample data and one record with a recognisable title; returns rows per table."""
    database = open_database(path)
    try:
        demo.generate(database, size=12)
        with database.unit_of_work() as session:
            collaborations.create(
                session,
                collaborations.CollaborationInput(
                    title=SECRET, kind="joint_research", status="active"
                ),
            )
        return protection.table_counts(database)
    finally:
        database.dispose()


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def _titles(database: Database) -> set[str]:
    with database.read() as session:
        return set(session.scalars(select(Collaboration.title)))


def test_protecting_in_place_keeps_every_record_and_hides_their_text(db_path: Path) -> None:
    counts = _filled(db_path)
    assert SECRET.encode() in db_path.read_bytes()
    steps: list[int] = []

    result = protection.encrypt_in_place(
        db_path, PASSPHRASE, progress=lambda done, total, message="": steps.append(done)
    )

    assert result.counts == counts
    assert result.rows > 50
    assert steps[-1] == 5
    assert encryption.is_encrypted(db_path)
    for word in (b"Qwertzuiop", b"scramjet", "Qwertzuiop".encode("utf-16-le")):
        assert word not in _file_bytes(db_path)
    # No plain copy is left next to the file (only its lock and write-ahead log files).
    assert {p.name for p in db_path.parent.iterdir()} <= {
        "rsdesk.sqlite3",
        "rsdesk.sqlite3.lock",
        "rsdesk.sqlite3-wal",
        "rsdesk.sqlite3-shm",
    }
    database = open_database(db_path, passphrase=PASSPHRASE)
    try:
        assert protection.table_counts(database) == counts
        assert SECRET in _titles(database)
        with database.read() as session:
            assert audit.verify(session).ok
    finally:
        database.dispose()
    with pytest.raises(KnownError, match="Wrong passphrase"):
        open_database(db_path, passphrase="not the passphrase")


def test_removing_the_passphrase_gives_back_a_plain_file_with_the_same_records(
    db_path: Path,
) -> None:
    counts = _filled(db_path)
    protection.encrypt_in_place(db_path, PASSPHRASE)
    encrypted_bytes = db_path.read_bytes()

    with pytest.raises(KnownError, match="Wrong passphrase"):
        protection.decrypt_in_place(db_path, "a wrong passphrase")
    assert db_path.read_bytes() == encrypted_bytes

    result = protection.decrypt_in_place(db_path, PASSPHRASE)

    assert not encryption.is_encrypted(db_path)
    assert SECRET.encode() in db_path.read_bytes()
    assert result.kept_aside is not None
    assert encryption.is_encrypted(result.kept_aside)
    database = open_database(db_path)
    try:
        assert protection.table_counts(database) == counts
        assert SECRET in _titles(database)
        with database.read() as session:
            assert audit.verify(session).ok
    finally:
        database.dispose()


def test_changing_the_passphrase_refuses_the_old_one_and_accepts_the_new(db_path: Path) -> None:
    counts = _filled(db_path)
    protection.encrypt_in_place(db_path, PASSPHRASE)

    protection.change_passphrase(db_path, PASSPHRASE, "a brand new passphrase")

    with pytest.raises(KnownError, match="Wrong passphrase"):
        encryption.check_passphrase(db_path, PASSPHRASE)
    database = open_database(db_path, passphrase="a brand new passphrase")
    try:
        assert protection.table_counts(database) == counts
        assert SECRET in _titles(database)
    finally:
        database.dispose()
    with pytest.raises(KnownError, match="Wrong passphrase"):
        protection.change_passphrase(db_path, PASSPHRASE, "yet another passphrase")


def test_a_short_passphrase_is_refused_and_nothing_changes(db_path: Path) -> None:
    _filled(db_path)
    before = db_path.read_bytes()
    with pytest.raises(KnownError, match="at least 8 characters"):
        protection.encrypt_in_place(db_path, "short")
    assert db_path.read_bytes() == before


def test_another_writer_blocks_the_conversion(db_path: Path) -> None:
    _filled(db_path)
    other = WriterLock(db_path)
    other.acquire()
    try:
        with pytest.raises(KnownError, match="open for writing in another rsdesk"):
            protection.encrypt_in_place(db_path, PASSPHRASE)
    finally:
        other.release()
    assert not encryption.is_encrypted(db_path)


def test_a_cancelled_conversion_leaves_the_database_as_it_was(db_path: Path) -> None:
    counts = _filled(db_path)
    token = CancelToken()

    def cancel_while_writing(done: int, total: int, message: str = "") -> None:
        if done == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        protection.encrypt_in_place(
            db_path, PASSPHRASE, progress=cancel_while_writing, cancel=token
        )
    assert not encryption.is_encrypted(db_path)
    assert not list(db_path.parent.glob("*.converting*"))
    database = open_database(db_path)
    try:
        assert protection.table_counts(database) == counts
    finally:
        database.dispose()


def test_plain_automatic_backups_are_listed_after_protecting(db: Database, db_path: Path) -> None:
    from rsdesk.services import backup

    plain = backup.daily_backup(db)
    db.dispose()
    result = protection.encrypt_in_place(db_path, PASSPHRASE)
    assert plain is not None
    assert result.plain_backups == (plain,)


def test_no_keyring_backend_is_explained() -> None:
    # This machine has no keyring service: the reason is given and nothing is remembered.
    reason = protection.keyring_unavailable_reason()
    if reason is None:
        pytest.skip("a system keyring is available here")
    assert "keyring" in reason
    assert protection.remembered_passphrase(Path("x.sqlite3")) is None
    with pytest.raises(KnownError):
        protection.remember_passphrase(Path("x.sqlite3"), PASSPHRASE)


def test_a_reader_holding_the_log_stops_the_conversion_before_anything_changes(
    db_path: Path,
) -> None:
    import subprocess
    import sys

    counts = _filled(db_path)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"r = sqlite3.connect({str(db_path)!r})\n"
            "r.execute('BEGIN')\n"
            "print(r.execute('SELECT count(*) FROM collaboration').fetchone()[0], flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        assert int(reader.stdout.readline()) == counts["collaboration"]  # holds a snapshot
        database = open_database(db_path)
        _add_audited_change(database)  # committed to the log, which the reader pins
        database.dispose()
        with pytest.raises(KnownError, match="being read by another program"):
            protection.encrypt_in_place(db_path, PASSPHRASE)
    finally:
        reader.kill()
        reader.wait()
        if reader.stdout is not None:
            reader.stdout.close()
    assert not encryption.is_encrypted(db_path)
    again = open_database(db_path)
    try:
        assert protection.table_counts(again)["collaboration"] == counts["collaboration"] + 1
    finally:
        again.dispose()


def _add_audited_change(database: Database) -> None:
    with database.unit_of_work() as session:
        collaborations.create(
            session,
            collaborations.CollaborationInput(
                title="Another one", kind="joint_research", status="active"
            ),
        )
