"""A damaged audit head (changed outside rsdesk) stops writes with one clear message."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from rsdesk.db import Database
from rsdesk.db.auditlog import AuditHeadMismatch
from rsdesk.models import AuditEntry, Partner
from rsdesk.models.enums import PartnerKind
from rsdesk.services import audit


def add_partner(db: Database, name: str) -> None:
    with db.unit_of_work() as session:
        session.add(Partner(name=name, kind=PartnerKind.UNIVERSITY, country="DE"))


def execute(db: Database, sql: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql))


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        partners = session.scalar(select(func.count()).select_from(Partner))
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
    return partners or 0, entries or 0


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE audit_head SET last_entry_id = 0, last_hash = 'garbage'",  # duplicate ids
        "UPDATE audit_head SET last_hash = 'garbage'",  # entries that would not link
        "UPDATE audit_head SET last_entry_id = last_entry_id + 5",  # a gap in the ids
        "DELETE FROM audit_head",  # the head would restart at entry 1
    ],
)
def test_writes_stop_with_one_message_and_nothing_is_saved(any_db: Database, damage: str):
    add_partner(any_db, "Universität Stuttgart")
    execute(any_db, damage)
    before = counts(any_db)
    with pytest.raises(AuditHeadMismatch, match="head does not match its last entry"):
        add_partner(any_db, "Universität Tübingen")
    assert counts(any_db) == before


def test_an_intact_head_keeps_the_chain_verifiable(any_db: Database):
    add_partner(any_db, "Universität Stuttgart")
    add_partner(any_db, "Universität Tübingen")
    with any_db.read() as session:
        assert audit.verify(session).ok


def test_the_command_line_says_it_in_one_line(db: Database):
    add_partner(db, "Universität Stuttgart")
    execute(db, "UPDATE audit_head SET last_entry_id = 0, last_hash = 'garbage'")
    path = str(db.path)
    db.dispose()
    list_file = db.path.with_name("list.csv") if db.path else None
    assert list_file is not None
    list_file.write_text("name,id\nOrion Photonics,1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", path, "screening", "load", str(list_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "audit trail's head does not match its last entry" in line
    assert "rsdesk audit verify" in line
