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


@pytest.fixture
def plans_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One "plan" per ``importers.build_plan`` call from here on (a preview written as it was
    shown plans once; one planned again inside the write, twice)."""
    from rsdesk.services import importers

    made: list[str] = []
    build = importers.build_plan

    def counting(*args: object, **kwargs: object) -> object:
        made.append("plan")
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importers, "build_plan", counting)
    return made
