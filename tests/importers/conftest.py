"""Helpers for import tests: write files, snapshot the database file, run the command line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from rsdesk.cli import main


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def file_digest(path: Path) -> str:
    """The database file's bytes (and its WAL, if one was left behind)."""
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Runs ``rsdesk --db DB ARGS...``; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
