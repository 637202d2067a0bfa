"""`rsdesk db check` says it checked the file and schema, not the audit trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rsdesk.cli import main


def test_check_of_a_tampered_file_says_the_trail_was_not_checked(tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.sqlite3"
    assert main(["--db", str(path), "demo", "--size", "30", "--seed", "1"]) == 0
    with sqlite3.connect(path) as connection:
        connection.execute("update collaboration set risk_level = 'low' where id = 3")
    capsys.readouterr()
    assert main(["--db", str(path), "db", "check"]) == 0
    out = capsys.readouterr().out
    assert "file and schema ok" in out
    assert "the audit trail was not checked: run 'rsdesk audit verify'" in out
    assert main(["--db", str(path), "audit", "verify"]) != 0
