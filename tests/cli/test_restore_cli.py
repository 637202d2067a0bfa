"""Commands that replace or rewrite the database file: `db restore`, `db copy`, `db backup`, and
opening an older file (which upgrades it). Each runs the real command on real files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsdesk.db import encryption, open_database
from rsdesk.db.backup import KEEP_BACKUPS
from rsdesk.models import Department

FIXTURES = Path(__file__).parents[1] / "fixtures" / "databases"
PASSPHRASE = "correct horse battery"

HOLD = (
    "import sys, time\n"
    "from rsdesk.db import open_database\n"
    "db = open_database(sys.argv[1], lock_writes=True)\n"
    "db.acquire_writer_lock()\n"
    "print('locked', flush=True)\n"
    "time.sleep(60)\n"
)


def _cli(db: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if "PASSPHRASE" not in k},
            "RSDESK_HOME": str(home),
            **env,
        },
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def _one_line_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert fragment in result.stderr


def _departments(path: Path, passphrase: str | None = None) -> list[str]:
    database = open_database(path, passphrase=passphrase, upgrade=False)
    try:
        with database.read() as session:
            return sorted(d.name for d in session.query(Department))
    finally:
        database.dispose()


def _add_department(path: Path, name: str, passphrase: str | None = None) -> None:
    database = open_database(path, passphrase=passphrase)
    try:
        with database.unit_of_work() as session:
            session.add(Department(name=name))
    finally:
        database.dispose()


@pytest.fixture
def saved(db_path: Path, rsdesk_home: Path) -> Path:
    """A backup holding the department 'In the backup'; the database then gets another one."""
    _add_department(db_path, "In the backup")
    target = db_path.parent / "saved.sqlite3"
    result = _cli(db_path, "db", "backup", str(target), home=rsdesk_home)
    assert result.returncode == 0, result.stderr
    _add_department(db_path, "After the backup")
    return target


@pytest.fixture
def holder(db_path: Path, rsdesk_home: Path) -> Iterator[subprocess.Popen[str]]:
    """Another rsdesk holding the database open for writing."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "RSDESK_HOME": str(rsdesk_home)},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_restore_is_refused_while_another_rsdesk_writes(saved, holder, db_path, rsdesk_home):
    before = db_path.read_bytes()

    result = _cli(db_path, "db", "restore", str(saved), home=rsdesk_home)

    _one_line_failure(result, f"process {holder.pid}")
    assert db_path.read_bytes() == before
    assert "After the backup" in _departments(db_path)


def test_copy_into_a_file_another_rsdesk_writes_is_refused(holder, db_path, rsdesk_home, tmp_path):
    source = tmp_path / "source.sqlite3"
    _add_department(source, "Copied")

    result = _cli(source, "db", "copy", "--to", str(db_path), home=rsdesk_home)

    _one_line_failure(result, "open for writing in another rsdesk")
    assert "Copied" not in _departments(db_path)


def test_a_plain_backup_does_not_remove_the_encryption(saved, db_path, rsdesk_home):
    encrypted = _cli(
        db_path, "db", "encrypt", "--in-place", home=rsdesk_home, RSDESK_PASSPHRASE=PASSPHRASE
    )
    assert encrypted.returncode == 0, encrypted.stderr
    before = db_path.read_bytes()

    refused = _cli(db_path, "db", "restore", str(saved), home=rsdesk_home)
    _one_line_failure(refused, "--allow-plain")
    assert db_path.read_bytes() == before
    wrong = _cli(db_path, "db", "restore", str(saved), home=rsdesk_home, RSDESK_PASSPHRASE="nope")
    _one_line_failure(wrong, "Wrong passphrase")
    assert db_path.read_bytes() == before

    kept = _cli(
        db_path, "db", "restore", str(saved), home=rsdesk_home, RSDESK_PASSPHRASE=PASSPHRASE
    )
    assert kept.returncode == 0, kept.stderr
    assert "encrypted with the database's passphrase" in kept.stdout
    assert encryption.is_encrypted(db_path)
    assert _departments(db_path, PASSPHRASE) == ["In the backup"]

    plain = _cli(db_path, "db", "restore", "--allow-plain", str(saved), home=rsdesk_home)
    assert plain.returncode == 0, plain.stderr
    assert "no longer encrypted" in plain.stdout
    assert not encryption.is_encrypted(db_path)
    assert _departments(db_path) == ["In the backup"]


def test_restore_only_reads_the_backup_even_a_live_copy_with_its_log(db_path, rsdesk_home):
    """A copy of a database in use (file plus -wal) is restored with the log's records, and no
    -wal or -shm is left beside it: the command works on its own copy."""
    live = db_path.parent / "live.sqlite3"
    shutil.copyfile(db_path, live)
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.close()
    database = open_database(live)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
    with database.unit_of_work() as session:
        session.add(Department(name="Only in the log"))
    folder = db_path.parent / "copied"
    folder.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{live}{suffix}", folder / f"backup.sqlite3{suffix}")
    database.dispose()
    backup = folder / "backup.sqlite3"
    original = {p.name: p.read_bytes() for p in folder.iterdir()}

    result = _cli(db_path, "db", "restore", str(backup), home=rsdesk_home)

    assert result.returncode == 0, result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == original
    assert "Only in the log" in _departments(db_path)
    assert not list(db_path.parent.glob(".*restoring*"))


def test_the_database_replaced_by_a_restore_joins_the_rotated_backups(saved, db_path, rsdesk_home):
    backups = rsdesk_home / "data" / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    for day in range(1, KEEP_BACKUPS + 1):
        (backups / f"{db_path.stem}-202601{day:02d}-000000-daily.sqlite3").write_bytes(b"old")

    result = _cli(db_path, "db", "restore", str(saved), home=rsdesk_home)

    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in backups.glob(f"{db_path.stem}-*.sqlite3"))
    assert len(kept) == KEEP_BACKUPS
    assert kept[0] == f"{db_path.stem}-20260102-000000-daily.sqlite3"
    previous = backups / kept[-1]
    assert previous.name.endswith("-before-restore.sqlite3")
    assert str(previous) in result.stdout
    assert "After the backup" in _departments(previous)
    assert not list(db_path.parent.glob("*before-restore*"))


def test_backup_into_a_missing_folder_creates_it(db_path, rsdesk_home):
    target = db_path.parent / "new" / "nested" / "copy.sqlite3"

    result = _cli(db_path, "db", "backup", str(target), home=rsdesk_home)

    assert result.returncode == 0, result.stderr
    assert _departments(target) == _departments(db_path)


def test_a_backup_path_through_a_file_fails_in_one_line(db_path, rsdesk_home):
    blocker = db_path.parent / "a-file"
    blocker.write_text("not a folder")
    result = _cli(db_path, "db", "backup", str(blocker / "copy.sqlite3"), home=rsdesk_home)
    _one_line_failure(result, "is a file, not a folder")


def test_an_upgrade_on_the_way_is_announced_with_its_backup(rsdesk_home, tmp_path):
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "rsdesk-0.1.0.sqlite3", old)

    result = _cli(old, "audit", "verify", home=rsdesk_home)

    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    # Besides the upgrade, only what opening did on its own: the 0.1.0 file's declarations of
    # outside interests completed over a year ago are reopened for their renewal, and said so.
    assert len(lines) == 2, result.stderr
    assert lines[1].startswith("Opening the database reopened "), result.stderr
    assert "upgraded the schema" in lines[0]
    assert "from 0001 to" in lines[0]
    backup = Path(lines[0].rsplit(" ", 1)[-1])
    assert backup.name.endswith("-pre-upgrade.sqlite3")
    assert backup.exists()
    again = _cli(old, "audit", "verify", home=rsdesk_home)
    assert again.returncode == 0
    assert again.stderr == ""


def test_db_upgrade_says_what_it_did(rsdesk_home, tmp_path):
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "rsdesk-0.1.0.sqlite3", old)

    upgraded = _cli(old, "db", "upgrade", home=rsdesk_home)
    current = _cli(old, "db", "upgrade", home=rsdesk_home)
    created = _cli(tmp_path / "new.sqlite3", "db", "upgrade", home=rsdesk_home)

    assert upgraded.returncode == 0, upgraded.stderr
    assert "upgraded from 0001 to " in upgraded.stdout
    backup = Path(upgraded.stdout.split("(backup: ", 1)[1].rstrip().rstrip(")"))
    assert backup.exists()
    assert [  # only the renewals the first open of the 0.1.0 file made, said so
        line
        for line in upgraded.stderr.splitlines()
        if not line.startswith("Opening the database reopened ")
    ] == []
    assert "already current" in current.stdout
    assert "created" in created.stdout


def _tamper_title(path: Path) -> None:
    """A change made behind rsdesk's back: the audit trail no longer matches the record."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE department SET name = 'Edited behind the trail'")
    connection.close()


def test_a_backup_with_a_broken_trail_says_so_when_verified_and_restores_only_when_asked(
    db_path, rsdesk_home, tmp_path
):
    """A tester backed up a database whose trail a direct edit had broken: 'backup written', and
    the restore then refused it with no way round, the day the office needed it."""
    _add_department(db_path, "Before the edit")
    _tamper_title(db_path)
    copy = tmp_path / "copy.sqlite3"
    verified = _cli(db_path, "db", "backup", str(copy), "--verify", home=rsdesk_home)
    _one_line_failure(verified, "its audit trail does not verify")
    assert copy.exists()  # the copy is what the database holds: kept

    _add_department(db_path, "After the backup")
    refused = _cli(db_path, "db", "restore", str(copy), home=rsdesk_home)
    _one_line_failure(refused, "--allow-broken-audit")
    assert "After the backup" in _departments(db_path)

    restored = _cli(db_path, "db", "restore", str(copy), "--allow-broken-audit", home=rsdesk_home)
    assert restored.returncode == 0, restored.stderr
    assert "with a broken audit trail" in restored.stdout
    assert _departments(db_path) == ["Edited behind the trail"]
    still_broken = _cli(db_path, "audit", "verify", home=rsdesk_home)
    assert still_broken.returncode == 1


def test_backup_verify_passes_on_a_sound_trail(db_path, rsdesk_home, tmp_path):
    _add_department(db_path, "Sound")
    result = _cli(
        db_path, "db", "backup", str(tmp_path / "sound.sqlite3"), "--verify", home=rsdesk_home
    )
    assert result.returncode == 0, result.stderr
    assert "its audit trail verifies" in result.stdout
