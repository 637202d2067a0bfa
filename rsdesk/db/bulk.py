"""Fast multi-row INSERT for bulk writers (demo data, the audit log's batches).

``bulk_insert(connection, table, rows)`` stores exactly what ``connection.execute(insert(table),
rows)`` stores: on SQLite it converts each value with the column type's own bind processor (the
same conversion SQLAlchemy applies: dates and datetimes to text, enums checked and stored by value,
JSON serialised) and hands the tuples to the driver's ``executemany``, skipping SQLAlchemy's
per-row statement bookkeeping (about half the cost of a large insert). A JSON document shared by
many rows is serialised once per call. Other databases take the ordinary Core path.

Every row must carry every key of the first row (no column defaults are applied).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table, TypeDecorator, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]
#: SQL, each column's bind processor, whether it is a JSON column, whether its processor is fast.
_Plan = tuple[str, tuple[Processor | None, ...], tuple[bool, ...], tuple[bool, ...]]
_PLANS: dict[tuple[int, str, tuple[str, ...]], _Plan] = {}


class Encoded(str):
    """A JSON column value already serialised the way the column's type would serialise it.

    Only for :func:`bulk_insert` on a connection where :func:`is_fast` is true.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type[Encoded], tuple[str]]:
        # Pickled as a call with the plain text: the default way for a str subclass (copyreg)
        # costs several times as much, and the demo's generating process sends many of them.
        return (Encoded, (str(self),))


def is_fast(connection: Connection) -> bool:
    """Whether ``bulk_insert`` bypasses the Core statement here (and accepts ``Encoded``)."""
    return connection.dialect.name == "sqlite" and connection.dialect.paramstyle == "qmark"


def bulk_insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` into ``table`` in the caller's transaction; returns the number inserted."""
    if not rows:
        return 0
    if not is_fast(connection):
        connection.execute(insert(table), list(rows))
        return len(rows)
    names = tuple(rows[0].keys())
    sql, processors, is_json, is_fast_processor = _plan(connection.dialect, table, names)
    converters: list[Processor | None] = []
    for processor, json_column, fast in zip(processors, is_json, is_fast_processor):
        if json_column:
            converters.append(_json_converter(processor))
        elif processor is not None and (not fast or processor is _datetime_text):
            # Timestamps and enum values are mostly one object shared by the whole batch.
            converters.append(_repeat_converter(processor))
        else:
            converters.append(processor)
    # The values in column order by one itemgetter call per row (C), then only the columns
    # with a conversion converted: half the cost of converting value by value.
    if len(names) == 1:
        name = names[0]
        params: list[Any] = [(row[name],) for row in rows]
    else:
        params = list(map(itemgetter(*names), rows))
    converted = [(index, convert) for index, convert in enumerate(converters) if convert]
    if converted:
        for position, values in enumerate(params):
            values = list(values)
            for index, convert in converted:
                values[index] = convert(values[index])
            params[position] = tuple(values)
    connection.exec_driver_sql(sql, params)  # type: ignore[arg-type]
    return len(rows)


def stored_values(connection: Connection, table: Table, values: Mapping[str, Any]) -> list[Any]:
    """Each of ``values`` as the column's type hands it to the driver (for constants that a
    caller of :func:`insert_tuples` puts in every row)."""
    dialect = connection.dialect
    out = []
    for name, value in values.items():
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        out.append(processor(value) if processor is not None else value)
    return out


def insert_tuples(
    connection: Connection, table: Table, names: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> int:
    """Insert rows given as tuples of driver values (see :func:`stored_values`) for ``names``.

    Only where :func:`is_fast` is true: nothing is converted, the tuples go to ``executemany``.
    """
    assert is_fast(connection)
    if rows:
        sql = _plan(connection.dialect, table, names)[0]
        connection.exec_driver_sql(sql, rows)  # type: ignore[arg-type]
    return len(rows)


#: SQLite's default text forms of dates and times (SQLAlchemy's ``DATE`` and ``DATETIME``).
_DATE_FORMAT = "%(year)04d-%(month)02d-%(day)02d"
_DATETIME_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def date_text(value: Any) -> Any:
    return value.isoformat() if type(value) is dt.date else _SQLITE_DATE(value)


def _datetime_text(value: Any) -> Any:
    if type(value) is dt.datetime and value.tzinfo is None:
        return value.isoformat(" ", "microseconds")
    return _SQLITE_DATETIME(value)


_SQLITE_DATE: Processor = sqlite.DATE().bind_processor(sqlite.dialect())  # type: ignore[assignment]
_SQLITE_DATETIME: Processor = sqlite.DATETIME().bind_processor(sqlite.dialect())  # type: ignore[assignment]


def _bind_processor(column: Any, dialect: Dialect) -> tuple[Processor | None, bool]:
    """The column type's bind processor, and whether it is stateless and fast already.

    SQLite's plain date and datetime processors format every field with ``%`` in Python, a large
    share of a bulk load with many timestamps; :func:`date_text` and :func:`_datetime_text` give
    the same text by ``isoformat`` (in C) and hand anything unusual to those processors.
    """
    impl = column.type.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if processor is None or dialect.name != "sqlite" or isinstance(column.type, TypeDecorator):
        return processor, False
    if type(impl) is sqlite.DATETIME and impl._storage_format == _DATETIME_FORMAT:
        return _datetime_text, True
    if isinstance(impl, sqlite.DATE) and impl._storage_format == _DATE_FORMAT:
        return date_text, True
    return processor, False


def _repeat_converter(processor: Processor) -> Processor:
    """``processor``, reusing the last result when the same object comes again (a timestamp or
    enum value shared by a whole batch)."""
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        result = processor(value)
        last[0], last[1] = value, result
        return result

    return convert


def _json_converter(processor: Processor | None) -> Processor:
    """The JSON column's processor, passing ``Encoded`` through and caching shared documents."""
    cache: dict[int, tuple[Any, Any]] = {}
    null = processor(None) if processor else None

    def convert(value: Any) -> Any:
        if value is None:
            return null
        cls = type(value)
        if cls is Encoded:
            return str(value)
        if cls is dict or cls is list:
            hit = cache.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = processor(value) if processor else value
            cache[id(value)] = (value, text)
            return text
        return processor(value) if processor else value

    return convert


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
        chosen = [_bind_processor(column, dialect) for column in columns]
        processors = tuple(processor for processor, _ in chosen)
        is_fast_processor = tuple(fast for _, fast in chosen)
        is_json = tuple(isinstance(column.type, JSON) for column in columns)
        plan = _PLANS[key] = (sql, processors, is_json, is_fast_processor)
    return plan
