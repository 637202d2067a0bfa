"""Encryption at rest (SQLCipher): real encrypted files, grepped byte by byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from rsdesk.db import Database, encryption
from rsdesk.models import Collaboration
from rsdesk.services import audit, collaborations
from rsdesk.services.errors import KnownError

SECRET_TITLE = "Zyxwvut quantum gravimetry with Example Institute 4711"


def _with_record(db: Database) -> int:
    with db.unit_of_work() as session:
        detail = collaborations.create(
            session,
            collaborations.CollaborationInput(
                title=SECRET_TITLE, kind="joint_research", status="active"
            ),
        )
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return detail.id


def _open(path: Path, passphrase: str) -> Database:
    engine = encryption.make_encrypted_engine(path, passphrase)
    return Database(make_url(f"sqlite:///{path}"), engine=engine)


def _titles(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Collaboration.title).order_by(Collaboration.id)))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _all_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_the_encrypted_copy_holds_none_of_a_records_text(db: Database, db_path: Path) -> None:
    _with_record(db)
    db.dispose()
    assert SECRET_TITLE.encode() in db_path.read_bytes()  # the plain file does
    target = db_path.parent / "encrypted.sqlite3"
    encryption.encrypt_copy(db_path, target, "correct horse")
    assert encryption.is_encrypted(target)
    assert not encryption.is_encrypted(db_path)
    encrypted = _open(target, "correct horse")
    try:
        assert SECRET_TITLE in _titles(encrypted)
        with encrypted.read() as session:
            assert audit.verify(session).ok
        # A write through the encrypted engine stays encrypted, WAL included.
        with encrypted.unit_of_work() as session:
            session.get(Collaboration, 1).title = SECRET_TITLE + " renewed"  # type: ignore[union-attr]
        for word in (b"Zyxwvut", b"gravimetry", "Zyxwvut".encode("utf-16-le")):
            assert word not in _all_bytes(target)
        with encrypted.read() as session:
            assert audit.verify(session).ok
    finally:
        encrypted.dispose()
    for word in (b"Zyxwvut", b"gravimetry"):
        assert word not in _all_bytes(target)


def test_a_wrong_passphrase_opens_nothing_and_changes_nothing(db: Database, db_path: Path) -> None:
    _with_record(db)
    db.dispose()
    target = db_path.parent / "encrypted.sqlite3"
    encryption.encrypt_copy(db_path, target, "right")
    before = _digest(target)
    for wrong in ("wrong", "Right", "right ", "x" * 200, "'; DROP TABLE x; --"):
        with pytest.raises(KnownError, match="Wrong passphrase"):
            encryption.make_encrypted_engine(target, wrong)
        with pytest.raises(KnownError, match="Wrong passphrase"):
            encryption.decrypt_copy(target, db_path.parent / "out.sqlite3", wrong)
    assert _digest(target) == before
    assert not (db_path.parent / "out.sqlite3").exists()
    with pytest.raises(KnownError, match="empty"):
        encryption.make_encrypted_engine(target, "")


def test_rekey_keeps_every_record_and_retires_the_old_passphrase(
    db: Database, db_path: Path
) -> None:
    _with_record(db)
    with db.read() as session:
        expected = _titles(db)
        audit_count = audit.verify(session)
    db.dispose()
    target = db_path.parent / "encrypted.sqlite3"
    encryption.encrypt_copy(db_path, target, "old pass")
    encryption.rekey(target, "old pass", "new pass ü")
    with pytest.raises(KnownError, match="Wrong passphrase"):
        encryption.check_passphrase(target, "old pass")
    reopened = _open(target, "new pass ü")
    try:
        assert _titles(reopened) == expected
        with reopened.read() as session:
            result = audit.verify(session)
        assert result.ok
        assert result == audit_count
    finally:
        reopened.dispose()


def test_decrypt_gives_back_a_plain_database_with_every_record(db: Database, db_path: Path) -> None:
    _with_record(db)
    db.dispose()
    encrypted = db_path.parent / "encrypted.sqlite3"
    plain = db_path.parent / "plain-again.sqlite3"
    encryption.encrypt_copy(db_path, encrypted, "pw")
    encryption.decrypt_copy(encrypted, plain, "pw")
    assert not encryption.is_encrypted(plain)
    assert SECRET_TITLE.encode() in plain.read_bytes()
    from rsdesk.db import open_database

    again = open_database(plain)
    try:
        with again.read() as session:
            assert session.scalar(select(func.count()).select_from(Collaboration)) == 1
            assert audit.verify(session).ok
    finally:
        again.dispose()
    with pytest.raises(KnownError, match="already exists"):
        encryption.decrypt_copy(encrypted, plain, "pw")


def _cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if "PASSPHRASE" not in k}, **env},
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_db_encrypt_decrypt_and_rekey_on_the_command_line(db: Database, db_path: Path) -> None:
    _with_record(db)
    db.dispose()
    encrypted = db_path.parent / "enc.sqlite3"
    result = _cli(db_path, "db", "encrypt", str(encrypted), RSDESK_PASSPHRASE="pw one")
    assert result.returncode == 0, result.stderr
    assert b"Zyxwvut" not in encrypted.read_bytes()
    result = _cli(
        encrypted, "db", "rekey", RSDESK_PASSPHRASE="pw one", RSDESK_NEW_PASSPHRASE="pw two long"
    )
    assert result.returncode == 0, result.stderr
    wrong = _cli(
        encrypted, "db", "decrypt", str(db_path.parent / "x.sqlite3"), RSDESK_PASSPHRASE="pw one"
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip().count("\n") == 0
    assert "Wrong passphrase" in wrong.stderr
    plain = db_path.parent / "plain.sqlite3"
    result = _cli(encrypted, "db", "decrypt", str(plain), RSDESK_PASSPHRASE="pw two long")
    assert result.returncode == 0, result.stderr
    assert SECRET_TITLE.encode() in plain.read_bytes()
    no_passphrase = _cli(encrypted, "db", "decrypt", str(db_path.parent / "y.sqlite3"))
    assert no_passphrase.returncode == 1
    assert "RSDESK_PASSPHRASE" in no_passphrase.stderr


def test_every_command_opens_an_encrypted_database_with_its_passphrase(
    db: Database, db_path: Path
) -> None:
    _with_record(db)
    db.dispose()
    encrypted = db_path.parent / "enc.sqlite3"
    encryption.encrypt_copy(db_path, encrypted, "pw")
    result = _cli(encrypted, "audit", "verify", RSDESK_PASSPHRASE="pw")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("audit trail intact:")
    before = _digest(encrypted)
    wrong = _cli(encrypted, "audit", "verify", RSDESK_PASSPHRASE="nope")
    assert wrong.returncode == 1
    assert "Wrong passphrase" in wrong.stderr
    assert _digest(encrypted) == before
    from rsdesk.db import open_database

    opened = open_database(encrypted, passphrase="pw")
    try:
        assert SECRET_TITLE in _titles(opened)
    finally:
        opened.dispose()


def test_a_backup_of_an_encrypted_database_is_encrypted(db: Database, db_path: Path) -> None:
    _with_record(db)
    db.dispose()
    encrypted = db_path.parent / "enc.sqlite3"
    encryption.encrypt_copy(db_path, encrypted, "pw")
    backup = db_path.parent / "backup.sqlite3"
    result = _cli(encrypted, "db", "backup", str(backup), RSDESK_PASSPHRASE="pw")
    assert result.returncode == 0, result.stderr
    assert encryption.is_encrypted(backup)
    assert b"Zyxwvut" not in backup.read_bytes()
    reopened = _open(backup, "pw")
    try:
        assert SECRET_TITLE in _titles(reopened)
        with reopened.read() as session:
            assert audit.verify(session).ok
    finally:
        reopened.dispose()
