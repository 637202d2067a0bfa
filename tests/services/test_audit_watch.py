"""The desktop's watch on the audit trail: a full verify in a separate process with the daily
backup (backups of a broken trail marked, the newest intact one never rotated out), and the
(entry id, hash) each computer remembers outside the database, which catches a history rewritten
with rsdesk's own hash functions that verifies inside the file."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

from rsdesk.db import Database, auditlog
from rsdesk.db.backup import KEEP_BACKUPS, is_marked_audit_broken
from rsdesk.models import Department
from rsdesk.services import audit, audit_watch, backup


def _with_departments(db: Database, count: int = 3) -> None:
    with db.unit_of_work() as session:
        for index in range(count):
            session.add(Department(name=f"Department {index}"))


def _tamper(path: Path, statement: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _forge_last_entry_actor(path: Path, actor: str) -> tuple[int, str]:
    """Rewrite the last entry's actor and rehash it (and the head) with rsdesk's own functions:
    what ``audit verify`` cannot tell from the truth. Returns (entry id, new hash)."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute(
            "SELECT id, at, table_name, record_id, action, changes, state_hash, prev_hash "
            "FROM audit_entry ORDER BY id DESC LIMIT 1"
        ).fetchone()
        entry_id, at, table, record, action, changes, state_hash, prev_hash = row
        at_text = dt.datetime.fromisoformat(at).replace(microsecond=0).isoformat()
        forged = auditlog.entry_hash(
            prev_hash,
            entry_id,
            at_text,
            actor,
            table,
            record,
            action,
            json.loads(changes),
            state_hash,
        )
        connection.execute(
            "UPDATE audit_entry SET actor = ?, hash = ? WHERE id = ?", (actor, forged, entry_id)
        )
        connection.execute("UPDATE audit_head SET last_hash = ?", (forged,))
        connection.commit()
    finally:
        connection.close()
    return entry_id, forged


def test_the_separate_process_verifies_an_intact_and_a_tampered_file(db: Database) -> None:
    _with_departments(db)
    assert db.path is not None
    with db.read() as session:
        expected = audit.verify(session)
    intact = audit_watch.verify_in_separate_process(db.path).wait()
    assert intact.ok
    assert (intact.entries_checked, intact.latest_hash) == (
        expected.entries_checked,
        expected.latest_hash,
    )
    _tamper(db.path, "UPDATE department SET name = 'Edited in the shell' WHERE id = 2")
    broken = audit_watch.verify_in_separate_process(db.path).wait()
    assert not broken.ok
    assert broken.problem is not None
    assert broken.problem.startswith("department 2 was changed outside rsdesk after entry ")
    assert broken.problem.endswith("(field name)")


def test_a_backup_of_a_broken_trail_is_marked_and_the_last_intact_one_is_kept(
    db: Database,
) -> None:
    _with_departments(db)
    assert db.path is not None
    first = backup.daily_backup_and_verify(db)
    assert first.backup is not None
    assert first.chain is not None
    assert first.chain.ok
    assert not is_marked_audit_broken(first.backup)
    assert first.audit_warning is None
    _tamper(db.path, "UPDATE department SET name = 'Edited in the shell' WHERE id = 2")
    day = dt.datetime.now()
    marked: list[Path] = []
    for days in range(1, KEEP_BACKUPS + 4):  # more broken days than backups are kept
        found = backup.daily_backup_and_verify(db, now=day + dt.timedelta(days=days, hours=1))
        assert found.backup is not None
        assert found.chain is not None
        assert not found.chain.ok
        assert is_marked_audit_broken(found.backup)
        # A daily backup, marked ("-daily-2-audit-broken" or "-daily-audit-broken-2" when it
        # shares its second with another backup's name).
        assert "-daily" in found.backup.name
        assert found.audit_warning == f"The audit trail is broken: {found.chain.problem}"
        marked.append(found.backup)
        _age(found.backup, days)  # as if taken that day, so that the next one is due
    kept = backup.backups_of(db.path)
    assert first.backup in kept  # the newest intact backup survives the rotation
    assert len(kept) == KEEP_BACKUPS + 1
    assert all(is_marked_audit_broken(path) for path in kept if path != first.backup)


def _age(path: Path, days: int) -> None:
    """Give a backup the time it would have had ``days`` days later (mtime only)."""
    stamp = (dt.datetime.now() + dt.timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))


def test_a_rewritten_history_that_verifies_is_caught_by_the_remembered_hash(
    db: Database,
) -> None:
    _with_departments(db)
    assert db.path is not None
    found = backup.daily_backup_and_verify(db)
    assert found.chain is not None
    assert found.chain.ok
    assert audit_watch.remembered_head(db) == (
        found.chain.entries_checked,
        found.chain.latest_hash,
    )
    with db.read() as session:
        assert audit_watch.rewritten_history(session, db) is None
    entry_id, forged = _forge_last_entry_actor(db.path, "mallory")
    with db.read() as session:
        assert audit.verify(session).ok  # nothing inside the file can tell
        warning = audit_watch.rewritten_history(session, db)
    assert warning == (
        f"The audit trail was rewritten: entry {entry_id} had hash {found.chain.latest_hash} "
        f"when this computer last saw it (now {forged})."
    )
    # The next day's intact verify must not silence it by remembering the forged tip.
    later = backup.daily_backup_and_verify(db, now=dt.datetime.now() + dt.timedelta(days=2))
    assert later.chain is not None
    assert later.chain.ok
    assert later.audit_warning == warning
    assert later.backup is not None
    assert is_marked_audit_broken(later.backup)
    assert audit_watch.remembered_head(db) == (entry_id, found.chain.latest_hash)


def test_an_entry_removed_from_the_end_is_named_as_gone(db: Database) -> None:
    _with_departments(db)
    assert db.path is not None
    with db.read() as session:
        audit_watch.remember_if_verified(
            session, db, audit_watch.from_verify_result(audit.verify(session))
        )
    remembered = audit_watch.remembered_head(db)
    assert remembered is not None
    _tamper(db.path, f"DELETE FROM audit_entry WHERE id = {remembered[0]}")
    with db.read() as session:
        warning = audit_watch.rewritten_history(session, db)
    assert warning is not None
    assert warning.endswith("(it is gone now).")


def test_the_remembered_hashes_live_outside_the_database(db: Database, rsdesk_home: Path) -> None:
    _with_departments(db)
    with db.read() as session:
        audit_watch.remember_if_verified(
            session, db, audit_watch.from_verify_result(audit.verify(session))
        )
    assert db.path is not None
    kept = json.loads((rsdesk_home / "data" / audit_watch.HEADS_FILE).read_text())
    assert list(kept) == [str(db.path.resolve())]


def test_the_backup_returns_before_the_verdict_and_closing_drops_it_unverified(
    db: Database,
) -> None:
    """The GUI lets go of the write lane once the backup is taken; quitting before the verdict
    kills the verify and removes the backup nobody verified (the next start takes it again)."""
    _with_departments(db)
    assert db.path is not None
    pending = backup.start_daily_backup_and_verify(db)
    assert pending.backup is not None
    assert pending.backup.exists()
    assert pending.verifying is not None
    assert pending.verifying.process.poll() is None  # still starting: the lane is free already
    pending.abandon()
    assert pending.verifying.process.returncode is not None
    assert not pending.backup.exists()
    assert backup.backups_of(db.path) == []
    assert audit_watch.remembered_head(db) is None
    # The next start's check is complete again, polled to its end.
    finished = backup.start_daily_backup_and_verify(db).wait()
    assert finished.chain is not None
    assert finished.chain.ok
    assert finished.backup is not None
    assert finished.backup.exists()


def test_an_encrypted_file_is_verified_with_its_passphrase(db: Database, tmp_path: Path) -> None:
    from rsdesk.db import encryption, open_database

    _with_departments(db)
    assert db.path is not None
    protected_path = tmp_path / "protected.sqlite3"
    encryption.encrypt_copy(db.path, protected_path, "correct horse battery")
    protected = open_database(protected_path, passphrase="correct horse battery")
    try:
        found = backup.daily_backup_and_verify(protected)
    finally:
        protected.dispose()
    assert found.chain is not None
    assert found.chain.ok, found.chain.problem
    assert found.backup is not None
    assert encryption.is_encrypted(found.backup)
