"""The start-up preview (rsdesk.services.startup_recipe and startup_cache): a recipe replayed on a
plain sqlite3 connection gives the very rows the register reads through SQLAlchemy, for every
register and sort; anything that no longer applies gives no preview at all."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import Partner
from rsdesk.services import demo, registers, startup_cache, startup_recipe
from rsdesk.services.registers import base as register_base
from rsdesk.services.registers.base import RegisterQuery

LIMIT = 25


def _plain(value: Any) -> Any:
    value = getattr(value, "value", value)
    if isinstance(value, decimal.Decimal | float):
        return decimal.Decimal(str(value)).normalize()
    return value


def _first_page(db: Database, name: str, query: RegisterQuery) -> list[tuple[Any, ...]]:
    spec = registers.get(name)
    with db.read() as session:
        ids = register_base.ordered_ids(session, spec, query, LIMIT)
        return register_base.rows_for_ids(session, spec, ids)


def _record(db: Database, name: str, query: RegisterQuery, sort_setting: str = "") -> None:
    assert db.path is not None
    with db.read() as session:
        recipe = startup_recipe.record(session, registers.get(name), query, LIMIT, sort_setting)
    assert recipe is not None, (name, query)
    startup_cache.store(db.path, name, recipe)


@pytest.fixture
def demo_db(db: Database) -> Database:
    demo.generate(db, size=40, seed=3)
    return db


def test_every_register_replays_the_rows_it_reads_for_every_sort(demo_db: Database) -> None:
    path = demo_db.path
    assert path is not None
    with_rows = set()
    for name in registers.names():
        spec = registers.get(name)
        queries = [RegisterQuery()] + [
            RegisterQuery(sort_key=column.key, descending=descending)
            for column in spec.columns
            for descending in (False, True)
        ]
        for query in queries:
            _record(demo_db, name, query, "setting")
            page = startup_cache.first_page(path, name, "setting")
            assert page is not None, (name, query)
            expected = _first_page(demo_db, name, query)
            assert page.ids == [row[0] for row in expected], (name, query)
            assert [tuple(map(_plain, row)) for row in page.rows] == [
                tuple(map(_plain, row)) for row in expected
            ], (name, query)
            # The values are what SQLAlchemy returns, not the file's raw text.
            for got, want in zip(page.rows, expected, strict=True):
                for a, b in zip(got, want, strict=True):
                    if isinstance(b, dt.date | dt.datetime | bool | dict):
                        assert type(a) is type(b), (name, query, a, b)
            if expected:
                with_rows.add(name)
        assert [c.key for c in page.spec.columns] == [c.key for c in spec.columns]
        assert page.layout == startup_cache.layout_of(spec)
    # The demo fills nearly every register: the comparison above was not between empty lists.
    assert len(with_rows) >= len(registers.names()) - 2, with_rows


def test_a_recipe_applies_only_to_the_sort_setting_it_was_made_for(demo_db: Database) -> None:
    assert demo_db.path is not None
    _record(demo_db, "collaborations", RegisterQuery(sort_key="title"), "title asc")
    assert startup_cache.first_page(demo_db.path, "collaborations", "title asc") is not None
    assert startup_cache.first_page(demo_db.path, "collaborations", "") is None
    assert startup_cache.first_page(demo_db.path, "partners", "title asc") is None


def test_no_preview_once_the_schema_or_the_build_changed(demo_db: Database, monkeypatch) -> None:
    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    assert startup_cache.first_page(path, "partners", "") is not None
    monkeypatch.setattr(startup_cache, "code_fingerprint", lambda: "another build")
    assert startup_cache.first_page(path, "partners", "") is None
    monkeypatch.undo()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    assert startup_cache.first_page(path, "partners", "") is None


def test_a_damaged_cache_file_gives_no_preview(demo_db: Database) -> None:
    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    startup_cache.cache_path().write_text("{not json", encoding="utf-8")
    assert startup_cache.first_page(path, "partners", "") is None
    _record(demo_db, "partners", RegisterQuery())  # rewritten whole
    assert startup_cache.first_page(path, "partners", "") is not None


def test_the_preview_never_writes_even_from_a_tampered_recipe(demo_db: Database) -> None:
    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    content = json.loads(startup_cache.cache_path().read_text(encoding="utf-8"))
    recipe = content["databases"][startup_cache.database_key(path)]["partners"]
    recipe["ids"] = [["DELETE FROM partner RETURNING id", []]]
    startup_cache.cache_path().write_text(json.dumps(content), encoding="utf-8")
    with demo_db.read() as session:
        before = session.scalar(select(func.count()).select_from(Partner))
    assert before
    assert startup_cache.first_page(path, "partners", "") is None
    with demo_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Partner)) == before


def test_an_encrypted_or_foreign_file_gives_no_preview(demo_db: Database, tmp_path: Path) -> None:
    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    assert startup_cache.plain_sqlite_file(path)
    other = tmp_path / "other.sqlite3"
    other.write_bytes(b"\x8f" * 4096)  # what an SQLCipher file looks like: no plain header
    assert not startup_cache.plain_sqlite_file(other)
    assert startup_cache.first_page(other, "partners", "") is None


def test_the_file_remembers_a_few_databases_the_latest_last(demo_db: Database) -> None:
    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    recipe = startup_cache.recipe_for(path, "partners")
    assert recipe is not None
    for n in range(startup_cache.MAX_DATABASES + 3):
        startup_cache.store(path.with_name(f"elsewhere-{n}.sqlite3"), "partners", recipe)
    content = json.loads(startup_cache.cache_path().read_text(encoding="utf-8"))
    kept = list(content["databases"])
    assert len(kept) == startup_cache.MAX_DATABASES
    assert kept[-1].endswith(f"elsewhere-{startup_cache.MAX_DATABASES + 2}.sqlite3")
    assert startup_cache.recipe_for(path, "partners") is None  # the oldest went first


def test_two_views_recording_at_once_keep_both_recipes(demo_db: Database) -> None:
    """Two register views record on two reader threads: neither recipe is lost, the file whole."""
    import threading

    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery())
    _record(demo_db, "measures", RegisterQuery())
    recipes = {name: startup_cache.recipe_for(path, name) for name in ("partners", "measures")}

    def keep(name: str) -> None:
        for _ in range(30):
            startup_cache.store(path, name, recipes[name])  # type: ignore[arg-type]

    threads = [threading.Thread(target=keep, args=(name,)) for name in recipes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in recipes:
        assert startup_cache.first_page(path, name, "") is not None, name
    assert not list(startup_cache.cache_path().parent.glob("*.json.*"))  # no partial file left


def test_the_preview_reads_a_crashed_writers_log_and_leaves_the_file_alone(
    demo_db: Database,
) -> None:
    """A writer that died left its last commit in the write-ahead log: the preview shows it, and
    its read-only connection neither checkpoints the log into the file nor removes it."""
    import os
    import subprocess
    import sys

    path = demo_db.path
    assert path is not None
    _record(demo_db, "partners", RegisterQuery(sort_key="name"))
    demo_db.dispose()
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"UPDATE partner SET name = 'Aaaa Left In The Log' WHERE id = \"\n"
        "          '(SELECT min(id) FROM partner WHERE NOT archived)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(path)], check=True)
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    before = (path.stat().st_mtime_ns, path.read_bytes(), wal.read_bytes())
    page = startup_cache.first_page(path, "partners", "")
    assert page is not None
    assert page.rows[0][1] == "Aaaa Left In The Log"
    assert (path.stat().st_mtime_ns, path.read_bytes(), wal.read_bytes()) == before
    assert os.path.exists(wal)
