"""Recording a register's first page as a recipe for the start-up preview
(``rsdesk.services.startup_cache``, which explains why).

The recipe is the SQL SQLAlchemy itself sends for the first page, caught on its way to the
driver, so the preview reads exactly what the view reads. Before it is kept, it is replayed on
the same connection and must give the very rows SQLAlchemy returned; a register whose values do
not survive the round trip gets no recipe (its view then starts the ordinary way).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Numeric, event, text
from sqlalchemy.orm import Session
from sqlalchemy.types import Float, TypeEngine

from rsdesk.db.schema_version import HEAD_REVISION
from rsdesk.services.register_layout import RegisterQuery, RegisterSpec
from rsdesk.services.registers import base as register_base
from rsdesk.services.startup_cache import layout_of, replay

#: Stand-in ids for the rows statement's IN list, found again among its parameters.
_SENTINEL_BASE = -7_301_000_000


def record(
    session: Session, spec: RegisterSpec, query: RegisterQuery, limit: int, sort_setting: str
) -> dict[str, Any] | None:
    """The recipe of ``query``'s first ``limit`` rows, or None if it cannot be replayed."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != HEAD_REVISION:
        return None
    id_statements: list[list[Any]] = []
    with _caught(session) as caught:
        for statement in register_base.first_ids_statements(spec, query):
            session.execute(statement.limit(limit)).all()
            id_statements.append(_only(caught))
    sentinels = [_SENTINEL_BASE - n for n in range(limit)]
    rows_statement = register_base.rows_statement(spec, sentinels)
    with _caught(session) as caught:
        session.execute(rows_statement).all()
        rows_sql, rows_params = _only(caught)
    try:
        positions = [rows_params.index(sentinel) for sentinel in sentinels]
    except ValueError:
        return None  # the ids were not passed as one parameter each
    recipe = {
        "schema": revision,
        "sort_setting": sort_setting,
        "limit": limit,
        "ids": id_statements,
        "rows": [rows_sql, rows_params, positions],
        "convert": [_conversion(column.type) for column in rows_statement.selected_columns],
        "layout": layout_of(spec),
    }
    try:
        json.dumps(recipe)
    except (TypeError, ValueError):
        return None  # a parameter the file cannot hold
    if not _replays_exactly(session, spec, query, limit, recipe):
        return None
    return recipe


@contextmanager
def _caught(session: Session) -> Iterator[list[tuple[str, Any]]]:
    """The statements and parameters sent to the driver on the session's connection meanwhile."""
    connection = session.connection()
    caught: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        caught.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield caught
    finally:
        event.remove(connection, "before_cursor_execute", before)


def _only(caught: list[tuple[str, Any]]) -> list[Any]:
    if len(caught) != 1:
        raise RuntimeError(f"expected one statement, caught {len(caught)}")
    statement, parameters = caught.pop()
    return [statement, list(parameters or ())]


def _conversion(column_type: TypeEngine[Any]) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, Numeric) and not isinstance(column_type, Float):
        return "decimal" if column_type.asdecimal else ""
    return ""


def _replays_exactly(
    session: Session, spec: RegisterSpec, query: RegisterQuery, limit: int, recipe: dict[str, Any]
) -> bool:
    expected = register_base.rows_for_ids(
        session, spec, register_base.ordered_ids(session, spec, query, limit)
    )
    driver = session.connection().connection.driver_connection
    _ids, replayed = replay(driver, recipe)
    return len(replayed) == len(expected) and all(
        _same(a, b)
        for got, want in zip(replayed, expected, strict=True)
        for a, b in zip(got, want, strict=True)
    )


def _same(replayed: Any, expected: Any) -> bool:
    expected = getattr(expected, "value", expected)  # enum members are stored as their values
    if isinstance(expected, decimal.Decimal | float) and isinstance(
        replayed, decimal.Decimal | float | int
    ):
        return decimal.Decimal(str(replayed)) == decimal.Decimal(str(expected))
    if isinstance(expected, dt.datetime) != isinstance(replayed, dt.datetime):
        return False
    return bool(replayed == expected) and type(replayed) is type(expected)
