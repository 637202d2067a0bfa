"""`rsdesk db copy --to URL`: a laptop's database moves whole to a server, verified before success.

Each test copies a real demo database (with an attachment and a JSON-string setting) into a new
SQLite file and, when RSDESK_TEST_DATABASE_URL is set, into a private PostgreSQL database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from rsdesk.db import Database, open_database
from rsdesk.db.engine import resolve_url
from rsdesk.models import Attachment, AuditEntry, Base, Collaboration, Partner
from rsdesk.services import audit, collaborations, database_copy, demo, partners, pseudonyms
from rsdesk.services.errors import KnownError
from tests.services.private_server import private_database

POSTGRES_URL = os.environ.get("RSDESK_TEST_DATABASE_URL")
TARGETS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
EVIDENCE = bytes(range(256)) * 40 + b"\x00signed agreement\xff"


def rsdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )


@pytest.fixture
def laptop(db: Database) -> Database:
    """A demo database with a document attached and the pseudonym secret set."""
    demo.generate(db, size=30)
    with db.unit_of_work() as session:
        first = session.scalars(select(Collaboration.id).order_by(Collaboration.id).limit(1)).one()
        collaborations.add_attachment(session, first, "agreement.pdf", EVIDENCE)
        pseudonyms.ensure_secret(session)
    return db


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    if request.param == "sqlite":
        yield resolve_url(str(tmp_path / "server.sqlite3"))
    else:
        assert POSTGRES_URL
        with private_database(POSTGRES_URL) as url:
            yield url


def row_counts(database: Database) -> dict[str, int]:
    with database.read() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_copy_keeps_every_row_attachment_and_the_audit_chain(laptop: Database, target: URL):
    expected = row_counts(laptop)
    with laptop.read() as session:
        source_hash = audit.latest_hash(session)
    result = database_copy.copy_database(laptop, target)
    assert result.counts == expected
    assert result.latest_hash == source_hash
    assert expected["attachment"] == 1
    assert expected["audit_entry"] == result.audit_entries > 500

    # `rsdesk audit verify` passes on the target, with the same chain.
    verified = rsdesk("--db", target.render_as_string(False), "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert source_hash in verified.stdout

    copy = open_database(target)
    try:
        assert row_counts(copy) == expected
        with copy.read() as session:
            attachment_id = session.scalars(select(Attachment.id)).one()
            _, content = collaborations.attachment_content(session, attachment_id)
            assert content == EVIDENCE
            largest = session.scalar(select(func.max(Partner.id)))
            with laptop.read() as source:
                assert pseudonyms.load_secret(session) == pseudonyms.load_secret(source)
        # New records continue after the copied ids (sequences were moved on) and are audited.
        with copy.unit_of_work() as session:
            created = partners.create(
                session, partners.PartnerInput(name="First Server Partner", kind="company")
            )
        assert largest is not None
        assert created.id == largest + 1
        with copy.read() as session:
            checked = audit.verify(session)
            assert checked.ok, checked.problem
            assert checked.entries_checked == result.audit_entries + 1
    finally:
        copy.dispose()


def test_a_target_rsdesk_only_opened_is_still_empty(laptop: Database, target: URL):
    """Opening puts the catalogue's courses in; they are not the office's data."""
    opened = open_database(target)
    try:
        assert row_counts(opened)["training_course"] == 6
    finally:
        opened.dispose()
    expected = row_counts(laptop)
    result = database_copy.copy_database(laptop, target)
    assert result.counts == expected


def test_copy_refuses_a_target_that_holds_data(laptop: Database, target: URL):
    database_copy.copy_database(laptop, target)
    copy = open_database(target)
    try:
        before = row_counts(copy)
    finally:
        copy.dispose()
    with pytest.raises(KnownError, match=r"already holds rsdesk data \(audit_entry\)"):
        database_copy.copy_database(laptop, target)
    refused = rsdesk("--db", str(laptop.path), "db", "copy", "--to", target.render_as_string(False))
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("rsdesk: ")
    assert lines[0].endswith(
        " already holds rsdesk data (audit_entry); copy into an empty database."
    )
    copy = open_database(target)
    try:
        assert row_counts(copy) == before
    finally:
        copy.dispose()


def test_a_copy_that_does_not_verify_leaves_the_target_empty(laptop: Database, target: URL):
    assert laptop.path is not None
    with sqlite3.connect(laptop.path) as raw:
        raw.execute("UPDATE audit_entry SET actor = 'someone else' WHERE id = 7")
    laptop.dispose()
    with pytest.raises(KnownError, match="did not verify: entry 7 .* was altered"):
        database_copy.copy_database(laptop, target)
    copy = open_database(target, upgrade=False)  # opening to upgrade would add the courses
    try:
        counts = row_counts(copy)
        assert counts["audit_entry"] == counts["partner"] == counts["attachment"] == 0
    finally:
        copy.dispose()


def test_the_command_reports_what_it_verified(laptop: Database, target: URL):
    assert laptop.path is not None
    laptop.dispose()
    result = rsdesk("--db", str(laptop.path), "db", "copy", "--to", target.render_as_string(False))
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("copied ")
    assert "verified: row counts, audit chain of" in line
    copy = open_database(target)
    try:
        with copy.read() as session:
            assert session.scalar(select(func.count()).select_from(AuditEntry))
    finally:
        copy.dispose()


@pytest.mark.postgres
def test_a_row_the_server_refuses_is_named_and_nothing_is_kept(laptop: Database, tmp_path: Path):
    """SQLite does not enforce text lengths; PostgreSQL does. The copy says where it stopped."""
    if not POSTGRES_URL:
        pytest.skip("RSDESK_TEST_DATABASE_URL is not set (CI sets it)")
    assert laptop.path is not None
    with sqlite3.connect(laptop.path) as raw:
        raw.execute("UPDATE partner SET name = ? WHERE id = 1", ("x" * 400,))
    with private_database(POSTGRES_URL) as url:
        with pytest.raises(KnownError, match=r"^Copy failed at partner \(a row the target refuses"):
            database_copy.copy_database(laptop, url)
        copy = open_database(url, upgrade=False)  # opening to upgrade would add the courses
        try:
            assert row_counts(copy)["audit_entry"] == 0
        finally:
            copy.dispose()
