"""Demo data for the asset register, screening and the office's responsibilities.

One demo of 800 collaborations is generated for the module and read back through the services the
views and reports use, so the Assets and Screening views of a demo database are not empty and
show each state the office has to act on.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from rsdesk.db import Database, open_database
from rsdesk.services import assets, audit, demo, responsibilities
from rsdesk.services.screening import lists, workflow

ANCHOR = dt.date(2026, 6, 15)
SIZE = 800


def _generate(template: Path, folder: Path, name: str, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    shutil.copyfile(template, path)
    database = open_database(path)
    try:
        demo.generate(database, size=SIZE, seed=seed, anchor=ANCHOR)
    finally:
        database.dispose()
    return path


@pytest.fixture(scope="module")
def demo_path(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(sqlite_template, tmp_path_factory.mktemp("demo"), "demo.sqlite3", seed=3)


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    database = open_database(demo_path)
    yield database
    database.dispose()


def test_the_asset_register_shows_every_state_to_act_on(demo_db: Database) -> None:
    with demo_db.read() as session:
        figures = assets.counts(session, today=ANCHOR)
    assert figures.assets >= SIZE // 40 * 0.9  # a few are archived
    levels = dict(figures.by_level)
    assert levels.get("sensitive", 0) > 0
    assert levels.get("highly_sensitive", 0) > 0
    assert figures.safeguards_recorded > figures.assets
    assert 0 < figures.safeguards_overdue < figures.safeguards_recorded
    assert figures.safeguards_missing > 0
    assert figures.access_without_briefing > 0


def test_assets_have_owners_areas_access_lists_and_collaborations(demo_path: Path) -> None:
    connection = sqlite3.connect(demo_path)
    try:

        def one(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        assert one("SELECT COUNT(*) FROM sensitive_asset WHERE owner_staff_id IS NULL") == 0
        assert one("SELECT COUNT(DISTINCT kind) FROM sensitive_asset") >= 5
        assert one("SELECT COUNT(*) FROM sensitive_asset WHERE dual_use_code IS NOT NULL") > 0
        assert one("SELECT COUNT(DISTINCT asset_id) FROM asset_technology") > 0
        assert one("SELECT COUNT(*) FROM collaboration_asset WHERE partner_access") > 0
        # Access lists: the owner is on the list; nobody's access starts before they did.
        assert one(
            "SELECT COUNT(*) FROM sensitive_asset a WHERE a.sensitivity_level != 'public' AND "
            "NOT EXISTS (SELECT 1 FROM access_grant g WHERE g.asset_id = a.id "
            "AND g.staff_id = a.owner_staff_id)"
        ) == 0  # fmt: skip
        assert one(
            "SELECT COUNT(*) FROM access_grant g JOIN staff_member s ON s.id = g.staff_id "
            "WHERE g.since < s.start_date OR g.until < g.since"
        ) == 0  # fmt: skip
        # A recorded verification never lies in the future.
        assert one(
            f"SELECT COUNT(*) FROM asset_safeguard WHERE last_verified_on > '{ANCHOR}'"
        ) == 0  # fmt: skip
    finally:
        connection.close()


def test_a_fictitious_list_is_loaded_and_the_partners_screened(demo_db: Database) -> None:
    with demo_db.read() as session:
        versions = lists.versions(session, active_only=True)
        counts = workflow.dashboard_counts(session)
        hits = workflow.pending_hits(session)
        index = workflow.build_index(session)
    assert [(v.name, v.version_no) for v in versions] == [("Demo list (fictitious)", 1)]
    assert 90 <= versions[0].entry_count <= 110
    assert counts.pending_hits > 0
    assert counts.pending_hits == len(hits)
    # The stored results are what the real matcher finds for the partners' names.
    for hit in hits:
        assert any(m.entry.primary_name == hit.entry_name for m in index.match([hit.partner_name]))


def test_the_central_contact_is_named_and_checks_fall_due_after_the_start(
    demo_db: Database, demo_path: Path
) -> None:
    with demo_db.read() as session:
        roles = responsibilities.load(session)
        result = audit.verify(session)
    assert result.ok, result.problem
    assert roles.central_contact.name
    assert "(not named)" not in roles.central_contact.label()
    assert roles.advisers
    register_start = ANCHOR - dt.timedelta(days=6 * 365 + 60)  # the demo register's first day
    connection = sqlite3.connect(demo_path)
    try:
        early = connection.execute(
            "SELECT COUNT(*) FROM onboarding_check c JOIN staff_member s ON s.id = c.staff_id "
            "WHERE c.due_date < s.start_date OR c.due_date < ? OR c.completed_on < s.start_date",
            (register_start.isoformat(),),
        ).fetchone()[0]
    finally:
        connection.close()
    assert early == 0


def test_same_seed_gives_the_same_assets_and_results(
    demo_path: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    again = _generate(sqlite_template, tmp_path, "again.sqlite3", seed=3)
    tables = ("sensitive_asset", "asset_safeguard", "access_grant", "screening_result")

    def rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
        connection = sqlite3.connect(path)
        try:
            return {
                t: connection.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in tables
            }
        finally:
            connection.close()

    first, second = rows(demo_path), rows(again)
    assert all(first[t] for t in tables)
    assert first == second


def test_settings_saved_before_the_demo_are_kept(db: Database) -> None:
    """First run saves the institution's name, then loads the sample data; an office may also
    have saved its own responsibilities, which the demo must not replace."""
    from rsdesk.services import settings

    with db.unit_of_work() as session:
        settings.save(session, institution_name="University of Testing")
        own = responsibilities.save_text(
            session,
            '[central_contact]\nrole = "Our own officer"\nname = "Kim Own"\nemail = "kim@x.test"\n',
        )
    demo.generate(db, size=120, seed=5, anchor=ANCHOR)
    with db.read() as session:
        assert settings.load(session).institution_name == "University of Testing"
        assert responsibilities.load(session).central_contact == own.central_contact
        assert audit.verify(session).ok


def test_the_demo_names_a_central_contact_after_the_institution_name_is_saved(
    db: Database,
) -> None:
    from rsdesk.services import settings

    with db.unit_of_work() as session:
        settings.save(session, institution_name="University of Testing")
    demo.generate(db, size=120, seed=5, anchor=ANCHOR)
    with db.read() as session:
        assert settings.load(session).institution_name == "University of Testing"
        assert responsibilities.load(session).central_contact.name
        assert audit.verify(session).ok
