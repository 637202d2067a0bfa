"""`rsdesk demo` and `rsdesk audit verify` through the real command line, in subprocesses."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def rsdesk(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def demo_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite3"
    result = rsdesk(path, "demo", "--size", "2000", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "2,000 collaborations" in result.stdout
    return path


def _copy(path: Path, folder: Path) -> Path:
    target = folder / "copy.sqlite3"
    source = sqlite3.connect(path)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        source.close()
    shutil.copyfile(path, target)
    return target


@pytest.mark.slow
def test_demo_of_2000_verifies(demo_2000: Path) -> None:
    result = rsdesk(demo_2000, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("audit trail intact:")


@pytest.mark.slow
def test_a_row_changed_with_sqlite3_breaks_verify_naming_the_entry(
    demo_2000: Path, tmp_path: Path
) -> None:
    path = _copy(demo_2000, tmp_path)
    connection = sqlite3.connect(path)
    try:
        (entry_id,) = connection.execute(
            "SELECT MAX(id) FROM audit_entry WHERE table_name = 'collaboration' AND record_id = 17"
        ).fetchone()
        connection.execute("UPDATE collaboration SET title = title || ' (edited)' WHERE id = 17")
        connection.commit()
    finally:
        connection.close()
    result = rsdesk(path, "audit", "verify")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "collaboration 17" in lines[0]
    assert f"entry {entry_id}" in lines[0]
    assert "title" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_an_edited_audit_entry_breaks_verify_naming_it(demo_2000: Path, tmp_path: Path) -> None:
    path = _copy(demo_2000, tmp_path)
    connection = sqlite3.connect(path)
    try:
        connection.execute("UPDATE audit_entry SET actor = 'mallory' WHERE id = 1234")
        connection.commit()
    finally:
        connection.close()
    result = rsdesk(path, "audit", "verify")
    assert result.returncode == 1
    assert "entry 1234" in result.stderr


def test_demo_refuses_a_database_with_data(tmp_path: Path) -> None:
    path = tmp_path / "small.sqlite3"
    first = rsdesk(path, "demo", "--size", "30")
    assert first.returncode == 0, first.stderr
    again = rsdesk(path, "demo", "--size", "30")
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1
    assert "already holds" in again.stderr
    assert "Traceback" not in again.stderr


def test_negative_size_is_a_usage_error(tmp_path: Path) -> None:
    result = rsdesk(tmp_path / "x.sqlite3", "demo", "--size", "-5")
    assert result.returncode == 2


def test_the_demo_leaves_the_file_in_wal_mode(demo_2000: Path) -> None:
    """The command loads with a rollback journal and must switch WAL back on afterwards."""
    connection = sqlite3.connect(demo_2000)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()
    assert not Path(f"{demo_2000}-journal").exists()
