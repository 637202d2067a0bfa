"""`rsdesk db encrypt --in-place`, `db decrypt --in-place`, and the db commands on encrypted files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlcipher3  # noqa: E402,F401  (the encryption extra, which make setup installs)

from rsdesk.db import Database, encryption
from rsdesk.services import collaborations

SECRET = "Asdfghjkl photonic radar with Example Optics 5521"


def _cli(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if "PASSPHRASE" not in k}, **env},
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def _one_line_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert fragment in result.stderr


def _with_secret(db: Database) -> None:
    with db.unit_of_work() as session:
        collaborations.create(
            session,
            collaborations.CollaborationInput(title=SECRET, kind="joint_research", status="active"),
        )
    db.dispose()


def test_encrypt_and_decrypt_in_place(db: Database, db_path: Path) -> None:
    _with_secret(db)
    _one_line_failure(_cli(db_path, "db", "encrypt", RSDESK_PASSPHRASE="long enough"), "--in-place")
    _one_line_failure(
        _cli(db_path, "db", "encrypt", "--in-place", RSDESK_PASSPHRASE="short"), "at least 8"
    )

    result = _cli(db_path, "db", "encrypt", "--in-place", RSDESK_PASSPHRASE="long enough")

    assert result.returncode == 0, result.stderr
    assert "now encrypted" in result.stdout
    assert encryption.is_encrypted(db_path)
    assert b"Asdfghjkl" not in db_path.read_bytes()
    check = _cli(db_path, "db", "check", RSDESK_PASSPHRASE="long enough")
    assert check.returncode == 0, check.stderr
    _one_line_failure(
        _cli(db_path, "db", "decrypt", "--in-place", RSDESK_PASSPHRASE="not it at all"),
        "Wrong passphrase",
    )

    result = _cli(db_path, "db", "decrypt", "--in-place", RSDESK_PASSPHRASE="long enough")

    assert result.returncode == 0, result.stderr
    assert not encryption.is_encrypted(db_path)
    assert SECRET.encode() in db_path.read_bytes()
    verify = _cli(db_path, "audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_restore_of_an_encrypted_backup_asks_for_its_passphrase(
    db: Database, db_path: Path
) -> None:
    _with_secret(db)
    assert (
        _cli(db_path, "db", "encrypt", "--in-place", RSDESK_PASSPHRASE="long enough").returncode
        == 0
    )
    saved = db_path.parent / "saved.sqlite3"
    result = _cli(db_path, "db", "backup", str(saved), RSDESK_PASSPHRASE="long enough")
    assert result.returncode == 0, result.stderr
    assert encryption.is_encrypted(saved)

    _one_line_failure(_cli(db_path, "db", "restore", str(saved)), "RSDESK_PASSPHRASE")
    result = _cli(db_path, "db", "restore", str(saved), RSDESK_PASSPHRASE="long enough")

    assert result.returncode == 0, result.stderr
    assert "restored" in result.stdout
