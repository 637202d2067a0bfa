"""Migrations produce exactly the models' schema, and opening refuses what it must not touch."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from rsdesk.db import migrate, open_database
from rsdesk.services.errors import KnownError


def test_migrated_schema_has_no_drift_from_the_models(any_db):
    assert migrate.current_revision(any_db) == migrate.head_revision()
    assert migrate.schema_differences(any_db) == []


def test_the_fast_head_constant_matches_the_migration_scripts():
    from rsdesk.db.schema_version import HEAD_REVISION

    assert migrate.head_revision() == HEAD_REVISION


def test_drift_is_detected(db):
    with db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE partner ADD COLUMN shoe_size INTEGER"))
    differences = migrate.schema_differences(db)
    assert any("shoe_size" in str(item) for item in differences)


def test_a_database_from_a_newer_release_is_refused(db_path):
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(KnownError, match="newer version of rsdesk"):
        open_database(db_path)


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(KnownError, match="not an rsdesk database"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(KnownError, match="not an rsdesk database"):
        open_database(path)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
