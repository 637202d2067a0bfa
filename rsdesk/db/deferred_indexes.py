"""Plain indexes dropped while a bulk write fills a table, and built again once at its end.

The collaboration table has about twenty indexes. Keeping each of them up to date row by row
costs more than the rows themselves; building an index once, from sorted data, is several times
cheaper. It pays when the rows written are many compared with the rows already there (a new
office importing its years of registers, a demo load), and not when a few hundred rows go into a
large table. Everything happens in the caller's transaction: a cancelled or failed write rolls the
drops back with the rows. Unique indexes stay, to check the rows as they arrive. SQLite only (on
a server, dropping an index would lock out every other user for the length of the write).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

T = TypeVar("T")
#: The interpreter's thread switch interval while indexes are built beside other work.
QUICK_SWITCH_SECONDS = 0.0005

#: Fewer new rows than this are written with the indexes in place, whatever the table holds.
MIN_ROWS = 5_000


def drop_plain_indexes(connection: Connection, tables: Iterable[str] | None = None) -> list[str]:
    """Drops the non-unique indexes of ``tables`` (default: every table) and returns the
    statements that create them again, exactly as the schema has them."""
    wanted = None if tables is None else set(tables)
    rows = connection.exec_driver_sql(
        "SELECT name, tbl_name, sql FROM sqlite_master "
        "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).all()
    statements = []
    for name, table, sql in rows:
        if wanted is not None and table not in wanted:
            continue
        if sql.lstrip().upper().startswith("CREATE UNIQUE"):
            continue
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
        statements.append(sql)
    return statements


def worth_deferring(connection: Connection, table: str, incoming: int) -> bool:
    """Whether ``incoming`` new rows outnumber the rows ``table`` holds (and are many)."""
    if connection.dialect.name != "sqlite" or incoming < MIN_ROWS:
        return False
    present = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar() or 0
    return incoming >= present


class DeferredIndexes:
    """The indexes an :func:`indexes_deferred` block dropped, to be built again."""

    def __init__(self, connection: Connection, statements: list[str]) -> None:
        self._connection = connection
        self._statements = statements
        #: Handed to a rebuild beside other work, which may have stopped half-way.
        self._started: list[str] = []

    def rebuild_while(self, work: Callable[[], T], then: Callable[[], object] | None = None) -> T:
        """Builds the indexes on a second thread while ``work`` runs on this one, and returns
        its result once both are done.

        ``CREATE INDEX`` is one statement that SQLite runs without the interpreter lock, so
        pure Python work (a large import's audit entries) costs nothing beside it: about a
        second of a 100,000-row import. ``work`` must not use the connection. ``then`` is
        more of the connection's own work for that thread, after the indexes (a bulk write's
        foreign-key check); it is left out when no index was deferred, and what it raises is
        raised here once ``work`` is done.
        """
        statements, self._statements = self._statements, []
        if not statements:
            return work()
        self._started = statements
        switch = sys.getswitchinterval()
        # Between two statements the thread needs the interpreter lock for a moment; ``work``
        # gives it up after this long (default 5 ms: a tenth of a second over twenty indexes).
        sys.setswitchinterval(min(switch, QUICK_SWITCH_SECONDS))
        try:
            return _beside(self._connection, statements, work, then)
        finally:
            sys.setswitchinterval(switch)

    def rebuild(self) -> None:
        statements, self._statements = self._statements, []
        _create(self._connection, statements)

    def rebuild_after_failure(self) -> None:
        """Builds whatever is still missing, also of a :meth:`rebuild_while` that failed."""
        existing = {
            name
            for (name,) in self._connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            )
        }
        statements = self._statements + self._started
        self._statements, self._started = [], []
        _create(self._connection, [s for s in statements if _index_name(s) not in existing])


def _beside(
    connection: Connection,
    statements: list[str],
    work: Callable[[], T],
    then: Callable[[], object] | None,
) -> T:
    def build() -> None:
        _create(connection, statements)
        if then is not None:
            then()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-rebuild") as pool:
        built = pool.submit(build)
        try:
            result = work()
        except BaseException:
            # The caller rolls back on this connection: the statements must have ended.
            built.exception()
            raise
        built.result()
    return result


@contextmanager
def indexes_deferred(connection: Connection, tables: dict[str, int]) -> Iterator[DeferredIndexes]:
    """Inside the block, the plain indexes of each table in ``tables`` (name -> rows about to
    be written) for which :func:`worth_deferring`; rebuilt when the block ends normally, unless
    the block had them rebuilt already (:meth:`DeferredIndexes.rebuild_while`)."""
    chosen = [
        name for name, incoming in tables.items() if worth_deferring(connection, name, incoming)
    ]
    deferred = DeferredIndexes(connection, drop_plain_indexes(connection, chosen) if chosen else [])
    try:
        yield deferred
    except BaseException:
        # The caller rolls back, which brings the indexes back; should it commit what it has
        # instead, the schema must still be whole.
        with contextlib.suppress(SQLAlchemyError):
            deferred.rebuild_after_failure()
        raise
    deferred.rebuild()


def _index_name(statement: str) -> str:
    found = _INDEX_NAME.match(statement)
    return (found.group(1) or found.group(2)) if found else ""


_INDEX_NAME = re.compile(
    r'\s*CREATE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"([^"]+)"|([^\s(]+))', re.IGNORECASE
)


def _create(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)
