"""Shared fixtures: offscreen Qt, a private RSDESK_HOME, and real databases.

``db`` is a fresh SQLite database per test (copied from a migrated template, for speed).
``any_db`` runs the test on SQLite and, when RSDESK_TEST_DATABASE_URL is set, on PostgreSQL too
(CI sets it; see .ci/run). There is no mocked database anywhere.
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rsdesk.db import Database, open_database
from rsdesk.db.engine import resolve_url

POSTGRES_URL = os.environ.get("RSDESK_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def collect_garbage_after_the_test() -> Iterator[None]:
    """Once a GUI part has switched the automatic collector off (rsdesk.ui.garbage), collect
    after each test, on this thread, when its widgets are closed and its workers have stopped."""
    yield
    if not gc.isenabled():
        gc.collect()


@pytest.fixture(autouse=True)
def rsdesk_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("rsdesk-home")
    monkeypatch.setenv("RSDESK_HOME", str(home))
    monkeypatch.delenv("RSDESK_DATABASE", raising=False)
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    os.environ["RSDESK_HOME"] = str(folder)
    path = folder / "template.sqlite3"
    database = open_database(path)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def fresh_sqlite(template: Path, folder: Path) -> Path:
    path = folder / "rsdesk.sqlite3"
    shutil.copyfile(template, path)
    return path


def journal_mode(path: Path) -> str:
    """The SQLite file's journal mode as a new connection finds it ("wal", "delete")."""
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    return fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.dispose()


def _reset_postgres(url: str) -> None:
    """Empty every table of the test server database (schema kept, identities restarted)."""
    engine = create_engine(resolve_url(url))
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            names = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


ENGINES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=ENGINES)
def any_db(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_database(fresh_sqlite(sqlite_template, tmp_path))
    else:
        assert POSTGRES_URL
        open_database(POSTGRES_URL).dispose()  # creates or upgrades the schema
        _reset_postgres(POSTGRES_URL)
        database = open_database(POSTGRES_URL)
    yield database
    database.dispose()


@pytest.fixture
def two_officers(any_db: Database) -> Iterator[tuple[Database, Database]]:
    """Two sessions on one database, as two officers on a shared server (adm_ann, adm_bob)."""
    ann = open_database(any_db.url, actor="adm_ann")
    bob = open_database(any_db.url, actor="adm_bob")
    yield ann, bob
    ann.dispose()
    bob.dispose()


@pytest.fixture
def postgres_url() -> str:
    if not POSTGRES_URL:
        pytest.skip("RSDESK_TEST_DATABASE_URL is not set (CI sets it)")
    # Each test starts from an empty server database, whatever ran before it (the first-run
    # wizard, for one, keeps the settings of a database that is already set up).
    _reset_postgres(POSTGRES_URL)
    return POSTGRES_URL
