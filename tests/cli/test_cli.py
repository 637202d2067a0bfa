"""The command-line contract: exit 0 on success, 1 with one readable line, 2 on wrong usage."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rsdesk import __version__


def rsdesk(*args: str, env_home: Path | None = None, cwd: Path | None = None):
    env = {**os.environ}
    if env_home is not None:
        env["RSDESK_HOME"] = str(env_home)
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def assert_clean_failure(result, fragment: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]


def test_version():
    result = rsdesk("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"rsdesk {__version__}"


def test_wrong_usage_exits_2():
    assert rsdesk("no-such-command").returncode == 2
    assert rsdesk("db").returncode == 2


def test_db_upgrade_creates_database_and_check_passes(tmp_path):
    path = tmp_path / "new.sqlite3"
    result = rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.exists()
    check = rsdesk("--db", str(path), "db", "check", env_home=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "ok" in check.stdout


def test_database_from_environment_variable(tmp_path):
    path = tmp_path / "env.sqlite3"
    env = {**os.environ, "RSDESK_DATABASE": str(path), "RSDESK_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "db", "upgrade"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert path.exists()


def test_missing_folder_bad_url_and_unreachable_server_fail_cleanly(tmp_path):
    assert_clean_failure(
        rsdesk("--db", str(tmp_path / "nope" / "x.db"), "audit", "verify"), "does not exist"
    )
    assert_clean_failure(rsdesk("--db", "foo://bar", "audit", "verify"), "Unknown kind")
    assert_clean_failure(
        rsdesk("--db", "postgresql://nobody@127.0.0.1:9/none", "audit", "verify"),
        "Cannot open the database",
    )


def test_database_locked_by_another_program_fails_cleanly(tmp_path):
    # In WAL mode readers are never blocked; a writer meets the other program's lock.
    path = tmp_path / "locked.sqlite3"
    assert rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path).returncode == 0
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {**os.environ, "RSDESK_HOME": str(tmp_path)}
        code = (
            "import rsdesk.db.engine as e; e.BUSY_TIMEOUT_MS = 200; "
            f"from rsdesk.cli import main; raise SystemExit(main(['--db', {str(path)!r}, 'demo', "
            "'--size', '5']))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
        )
    finally:
        holder.rollback()
        holder.close()
    assert_clean_failure(result, "locked")


def test_backup_and_restore_round_trip(tmp_path):
    path = tmp_path / "main.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    assert rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path).returncode == 0
    result = rsdesk("--db", str(path), "db", "backup", str(backup), env_home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert backup.exists()
    restored = rsdesk("--db", str(path), "db", "restore", str(backup), env_home=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    assert rsdesk("--db", str(path), "audit", "verify", env_home=tmp_path).returncode == 0


def test_restore_refuses_a_damaged_backup_and_keeps_the_database(tmp_path):
    path = tmp_path / "main.sqlite3"
    assert rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path).returncode == 0
    damaged = tmp_path / "damaged.sqlite3"
    assert (
        rsdesk("--db", str(path), "db", "backup", str(damaged), env_home=tmp_path).returncode == 0
    )
    data = bytearray(damaged.read_bytes())
    for offset in range(4096, min(len(data), 40960), 97):
        data[offset] ^= 0xFF
    damaged.write_bytes(bytes(data))
    before = path.read_bytes()
    result = rsdesk("--db", str(path), "db", "restore", str(damaged), env_home=tmp_path)
    assert_clean_failure(result, "not restored")
    assert path.read_bytes() == before


def test_restore_refuses_a_backup_with_a_broken_audit_trail(tmp_path):
    path = tmp_path / "main.sqlite3"
    assert rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path).returncode == 0
    tampered = tmp_path / "tampered.sqlite3"
    assert (
        rsdesk("--db", str(path), "db", "backup", str(tampered), env_home=tmp_path).returncode == 0
    )
    connection = sqlite3.connect(tampered)
    connection.execute(
        "INSERT INTO department (name, archived, created_at, updated_at) "
        "VALUES ('Shadow unit', 0, '2025-01-01', '2025-01-01')"
    )
    connection.commit()
    connection.close()
    result = rsdesk("--db", str(path), "db", "restore", str(tampered), env_home=tmp_path)
    assert_clean_failure(result, "broken audit trail")


@pytest.mark.parametrize("content", [b"", b"hello", b"SQLite format 3\x00" + b"\x00" * 50])
def test_restore_refuses_files_that_are_not_databases(tmp_path, content):
    path = tmp_path / "main.sqlite3"
    assert rsdesk("--db", str(path), "db", "upgrade", env_home=tmp_path).returncode == 0
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(content)
    result = rsdesk("--db", str(path), "db", "restore", str(bogus), env_home=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "db"),
    [([], None), (["--db", "office.sqlite3"], "office.sqlite3"), (["--db=x.sqlite3"], "x.sqlite3")],
)
def test_starting_the_application_reads_only_the_database_option(argv, db):
    from rsdesk.cli import gui_arguments

    args = gui_arguments(argv)
    assert args is not None
    assert args.command is None
    assert args.db == db


@pytest.mark.parametrize(
    "argv",
    [["demo"], ["--version"], ["-h"], ["--db"], ["--db", "x", "audit", "verify"], ["--d", "x"]],
)
def test_anything_else_goes_to_the_full_parser(argv):
    from rsdesk.cli import gui_arguments

    assert gui_arguments(argv) is None


def test_a_database_option_without_its_value_is_wrong_usage():
    result = rsdesk("--db")
    assert result.returncode == 2
    assert "expected one argument" in result.stderr
