"""Fast multi-row INSERT for bulk writers (demo data, the audit log's batches).

``bulk_insert(connection, table, rows)`` stores exactly what ``connection.execute(insert(table),
rows)`` stores: on SQLite it converts each value with the column type's own bind processor (the
same conversion SQLAlchemy applies: dates and datetimes to text, enums checked and stored by value,
JSON serialised) and hands the tuples to the driver's ``executemany``, skipping SQLAlchemy's
per-row statement bookkeeping (about half the cost of a large insert). Other databases take the
ordinary Core path.

Every row must carry every key of the first row (no column defaults are applied).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

_Plan = tuple[str, tuple[Callable[[Any], Any] | None, ...]]
_PLANS: dict[tuple[int, str, tuple[str, ...]], _Plan] = {}


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` into ``table`` in the caller's transaction; returns the number inserted."""
    if not rows:
        return 0
    dialect = connection.dialect
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        connection.execute(insert(table), list(rows))
        return len(rows)
    names = tuple(rows[0].keys())
    sql, processors = _plan(dialect, table, names)
    if any(processors):
        pairs = tuple(zip(names, processors))
        params = [
            tuple([row[name] if proc is None else proc(row[name]) for name, proc in pairs])
            for row in rows
        ]
    else:
        params = [tuple([row[name] for name in names]) for row in rows]
    connection.exec_driver_sql(sql, params)  # type: ignore[arg-type]
    return len(rows)


def _plan(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Plan:
    key = (id(dialect), table.name, names)
    plan = _PLANS.get(key)
    if plan is None:
        preparer = dialect.identifier_preparer
        columns = [table.c[name] for name in names]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            preparer.format_table(table),
            ", ".join(preparer.format_column(column) for column in columns),
            ", ".join("?" for _ in columns),
        )
        processors = tuple(
            column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns
        )
        plan = _PLANS[key] = (sql, processors)
    return plan
