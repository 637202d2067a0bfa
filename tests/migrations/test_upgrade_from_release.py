"""Databases made by released versions open with the current code, every record kept.

Each release leaves a fixture in tests/fixtures/databases/ (scripts/make-release-fixture.sh):
``rsdesk-<version>.sqlite3``, a ``rsdesk demo --size 100`` database written by that release, and
``rsdesk-<version>.json``, the schema revision and the rows per table as that release counted them.
Opening a copy with the current code must upgrade it to head after a backup (when its schema is
older), keep every row of every table (by primary key, not just by count), leave the audit chain
verifiable, and keep the backup a faithful copy of the original.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from rsdesk import paths
from rsdesk.db import migrate, open_database
from rsdesk.services import audit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "databases"
RELEASES = sorted(FIXTURES.glob("rsdesk-*.sqlite3"))


def test_there_is_a_released_database_to_upgrade():
    assert RELEASES, f"no release fixture in {FIXTURES}: run scripts/make-release-fixture.sh"
    for fixture in RELEASES:
        assert fixture.with_suffix(".json").is_file(), f"{fixture.name} has no manifest"


def rows_by_table(path: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every table's primary keys (or whole rows where there is none), read with plain sqlite3."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {}
        for table in tables:
            keys = [
                row[1]
                for row in sorted(
                    connection.execute(f'PRAGMA table_info("{table}")'), key=lambda r: r[5]
                )
                if row[5]
            ]
            columns = ", ".join(f'"{key}"' for key in keys) if keys else "*"
            found[table] = set(connection.execute(f'SELECT {columns} FROM "{table}"'))
        return found
    finally:
        connection.close()


def ancestors_of_head() -> list[str]:
    return [revision.revision for revision in migrate.script_directory().walk_revisions()]


@pytest.mark.parametrize("fixture", RELEASES, ids=[path.stem for path in RELEASES])
def test_a_released_database_upgrades_with_every_record_kept(fixture: Path, tmp_path: Path):
    manifest = json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))
    copy = tmp_path / fixture.name
    shutil.copyfile(fixture, copy)
    before = rows_by_table(copy)
    # The fixture is what its release wrote: the manifest agrees with the file.
    assert {table: len(rows) for table, rows in before.items()} == manifest["rows"]
    assert before["alembic_version"] == {(manifest["revision"],)}
    assert manifest["rows"]["collaboration"] == 100
    # Its schema is one this code knows how to upgrade from: head or one of head's ancestors.
    assert manifest["revision"] in ancestors_of_head()
    head = migrate.head_revision()
    backups_before = set(paths.backup_dir().glob("*"))

    database = open_database(copy)
    try:
        assert migrate.current_revision(database) == head
        assert migrate.schema_differences(database) == []
        with database.read() as session:
            result = audit.verify(session)
        assert result.ok, result.problem
        assert result.entries_checked >= manifest["rows"]["audit_entry"]
    finally:
        database.dispose()

    after = rows_by_table(copy)
    for table, rows in before.items():
        if table == "alembic_version":
            continue
        assert table in after or manifest["revision"] != head, f"table {table} was dropped"
        missing = rows - after.get(table, set())
        assert not missing, f"{table}: {len(missing)} rows lost, e.g. {sorted(missing)[:3]}"
    new_backups = set(paths.backup_dir().glob("*")) - backups_before
    if manifest["revision"] == head:
        # Nothing to upgrade (this session's release is the head): no pre-upgrade backup.
        assert not [path for path in new_backups if "pre-upgrade" in path.name]
    else:
        taken = [path for path in new_backups if "pre-upgrade" in path.name]
        assert len(taken) == 1, new_backups
        assert rows_by_table(taken[0]) == before


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path):
    from rsdesk.services.errors import KnownError

    fixture = RELEASES[-1]
    copy = tmp_path / "newer.sqlite3"
    shutil.copyfile(fixture, copy)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    before = copy.read_bytes()
    with pytest.raises(KnownError, match="newer version of rsdesk"):
        open_database(copy)
    assert copy.read_bytes() == before
