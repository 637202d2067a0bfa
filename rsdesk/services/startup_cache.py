"""The start-up preview: the first rows of the register the window opens on, read before the
database layer is loaded.

Loading SQLAlchemy and the models takes about 0.3 s, more than everything else in a start; the
window need not wait for it to show the rows. Each time a register view reads its first page, a
*recipe* is kept per database file and register (``rsdesk.services.startup_recipe``): the SQL
SQLAlchemy sent for that first page, with its parameters, how each raw value converts, and the
register's layout. At the next start on the same file, this module (which imports neither
SQLAlchemy nor Qt) replays the recipe on a plain, query-only sqlite3 connection, and the window
draws those rows (live data, not a copy) while the database is opened properly behind them.

A recipe is used only when nothing it depends on changed: the same rsdesk build (version and
source files of the registers, models and database layer), the same schema revision in the
file, the same register and sort the window will open with, and a file that is not encrypted
and not held by another writer. Anything else, or any error on the way, and rsdesk starts the
ordinary way; the preview never writes and never decides anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import rsdesk
from rsdesk import paths
from rsdesk.db.folding import register_sqlite_function
from rsdesk.services.register_layout import Column, Filter, RegisterSpec

CACHE_FILE = "start-up.json"
#: Changes whenever the file's layout does; an older file is ignored and rewritten.
FORMAT = 1
#: Databases remembered; the least recently recorded is forgotten first.
MAX_DATABASES = 8
#: A plain SQLite file starts with this; an encrypted one does not.
SQLITE_HEADER = b"SQLite format 3\x00"

#: Two views may record at once, on two reader threads: one writes the file at a time.
_WRITING = threading.Lock()

#: How a raw sqlite3 value becomes what SQLAlchemy would have returned, per column.
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "date": lambda value: dt.date.fromisoformat(str(value)[:10]),
    "datetime": lambda value: dt.datetime.fromisoformat(str(value)),
    "decimal": lambda value: decimal.Decimal(str(value)),
    "bool": bool,
    "json": lambda value: json.loads(value) if isinstance(value, str) else value,
}


@dataclass(frozen=True)
class FirstPage:
    """What the window shows before the database is open: one register's first rows."""

    database: Path
    register: str
    #: The register's layout, without its SQL (``spec_from_layout``).
    spec: RegisterSpec
    layout: dict[str, Any]
    ids: list[int]
    rows: list[tuple[Any, ...]]


def cache_path() -> Path:
    return paths.cache_dir() / CACHE_FILE


@functools.cache
def code_fingerprint() -> str:
    """The build the recipes were made by: rsdesk's version and the modification times of the
    sources whose change could change a register's SQL or layout (a developer's edit too)."""
    package = Path(rsdesk.__file__).parent
    stamps = [rsdesk.__version__]
    for folder in ("models", "db", "services/registers"):
        with contextlib.suppress(OSError):
            for source in sorted((package / folder).glob("*.py")):
                stamps.append(f"{source.name}:{source.stat().st_mtime_ns}")
    for name in ("register_layout.py", "startup_cache.py", "startup_recipe.py"):
        with contextlib.suppress(OSError):
            stamps.append(f"{name}:{(package / 'services' / name).stat().st_mtime_ns}")
    return "|".join(stamps)


def database_key(path: Path) -> str:
    return str(path.resolve())


# -- the spec's layout, kept in the file ------------------------------------------------------

_COLUMN_FIELDS = (
    "key",
    "label",
    "kind",
    "visible",
    "width",
    "choices",
    "personal",
    "empty_text",
    "printed",
    "unbroken",
)


def layout_of(spec: RegisterSpec) -> dict[str, Any]:
    """What a view needs of a register before its SQL: columns, filters, sorting, names."""
    return {
        "name": spec.name,
        "title": spec.title,
        "columns": [
            {name: _plain(getattr(column, name)) for name in _COLUMN_FIELDS}
            | {"folded_sort": column.sort_by is not None}
            for column in spec.columns
        ],
        "filters": [
            {"key": f.key, "label": f.label, "choices": f.choices is not None} for f in spec.filters
        ],
        "default_sort": spec.default_sort,
        "default_descending": spec.default_descending,
        "archived": spec.archived_expr is not None,
        "audit_table": spec.audit_table,
    }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _no_choices(_session: Any) -> tuple[tuple[Any, str], ...]:
    return ()


def _unavailable(*_args: Any) -> Any:
    raise RuntimeError("the register's SQL is not loaded yet (start-up preview)")


def spec_from_layout(layout: dict[str, Any]) -> RegisterSpec:
    """A spec with the layout and none of the SQL: enough to build a view and show rows."""
    nothing = cast(Any, None)
    columns = tuple(
        Column(
            key=c["key"],
            label=c["label"],
            expr=nothing,
            kind=c["kind"],
            visible=c["visible"],
            width=c["width"],
            choices=tuple(c["choices"]),
            personal=c["personal"],
            empty_text=c["empty_text"],
            printed=c["printed"],
            unbroken=c["unbroken"],
        )
        for c in layout["columns"]
    )
    filters = tuple(
        Filter(
            key=f["key"],
            label=f["label"],
            apply=_unavailable,
            choices=_no_choices if f["choices"] else None,
        )
        for f in layout["filters"]
    )
    return RegisterSpec(
        name=layout["name"],
        title=layout["title"],
        id_expr=nothing,
        base=_unavailable,
        columns=columns,
        filters=filters,
        default_sort=layout["default_sort"],
        default_descending=layout["default_descending"],
        archived_expr=cast(Any, True) if layout["archived"] else None,
        audit_table=layout["audit_table"],
    )


# -- the file -----------------------------------------------------------------------------------


def _read_file() -> dict[str, Any]:
    try:
        found = json.loads(cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        return {}
    if found.get("build") != code_fingerprint():
        return {}
    return found


def store(database: Path, register: str, recipe: dict[str, Any]) -> None:
    """Keep ``recipe`` for ``register`` on ``database`` (written whole, then renamed)."""
    with _WRITING:
        _store(database, register, recipe)


def _store(database: Path, register: str, recipe: dict[str, Any]) -> None:
    content = _read_file() or {"format": FORMAT, "build": code_fingerprint(), "databases": {}}
    databases: dict[str, Any] = content.setdefault("databases", {})
    key = database_key(database)
    entry = databases.pop(key, {})
    entry[register] = recipe
    databases[key] = entry  # last: the most recently recorded
    while len(databases) > MAX_DATABASES:
        databases.pop(next(iter(databases)))
    target = cache_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: another rsdesk may be writing the same file.
    handle, partial = tempfile.mkstemp(prefix=f"{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(content, out)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def recipe_for(database: Path, register: str) -> dict[str, Any] | None:
    entry = _read_file().get("databases", {}).get(database_key(database), {})
    recipe = entry.get(register)
    return recipe if isinstance(recipe, dict) else None


# -- replaying a recipe ------------------------------------------------------------------------


def first_page(database: Path, register: str, sort_setting: str) -> FirstPage | None:
    """The first rows of ``register`` on ``database``, read with its recipe; None when there is
    none that still applies, or anything at all goes wrong (rsdesk then starts as usual)."""
    try:
        recipe = recipe_for(database, register)
        if recipe is None or recipe.get("sort_setting") != sort_setting:
            return None
        if not plain_sqlite_file(database):
            return None
        with _query_only(database) as connection:
            if _schema_revision(connection) != recipe["schema"]:
                return None
            ids, rows = replay(connection, recipe)
        layout = recipe["layout"]
        return FirstPage(database, register, spec_from_layout(layout), layout, ids, rows)
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def replay(connection: Any, recipe: dict[str, Any]) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Run a recipe on a DB-API connection: the ids in display order, then their rows."""
    limit = int(recipe["limit"])
    ids: list[int] = []
    for sql, params in recipe["ids"]:
        found = [row[0] for row in connection.execute(sql, params).fetchall()]
        ids.extend(found[: limit - len(ids)])
        if len(ids) >= limit:
            break
    if not ids:
        return [], []
    sql, params, positions = recipe["rows"]
    params = list(params)
    for position, record_id in zip(positions, ids + [None] * len(positions), strict=False):
        params[position] = record_id
    conversions = [_CONVERSIONS.get(name) for name in recipe["convert"]]
    by_id: dict[int, tuple[Any, ...]] = {}
    for raw in connection.execute(sql, params).fetchall():
        by_id[raw[0]] = tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(raw, conversions, strict=True)
        )
    rows = [by_id[record_id] for record_id in ids if record_id in by_id]
    return [row[0] for row in rows], rows


def plain_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


@contextlib.contextmanager
def _query_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: it reads what a writer left in the write-ahead log but, unlike a
    read-write one, never checkpoints it into the file when it closes (the writer lock is not
    ours yet)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)
    try:
        connection.execute("PRAGMA query_only = ON")
        register_sqlite_function(connection)
        yield connection
    finally:
        connection.close()


def _schema_revision(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None
