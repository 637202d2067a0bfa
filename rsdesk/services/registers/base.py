"""One description per register (columns, quick search, filters, sorting), shared by the table
views, the Excel and PDF listings and the command line, so that "the current filtered view" means
the same rows everywhere.

Sorting, filtering and paging happen in the database; a view asks for a count and then for pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join

from rsdesk.db.text_folding import accent_fold, fold_accents
from rsdesk.services.register_layout import (  # noqa: F401 - re-exported for the registers
    ALL_VALUES,
    BOOL,
    DATE,
    DATETIME,
    ENUM,
    INT,
    MONEY,
    RISK,
    STATUS,
    TEXT,
    Column,
    Filter,
    RegisterQuery,
    RegisterSpec,
    with_default_filters,
)

#: A column or an expression: model attributes (``Partner.name``) and Core expressions alike.
Expr = ColumnElement[Any] | QueryableAttribute[Any]


def sort_value(column: Column, value: Any) -> Any:
    """What a view sorting rows it already holds compares, in the database's order: the value,
    or the folded text for a column that sorts on its folded form (``Column.sort_by``)."""
    if column.sort_by is not None and isinstance(value, str):
        return fold_accents(value)
    return value


@dataclass(frozen=True)
class SearchTerm:
    """A quick-search condition that ignores accents as well as case ("cordoba" finds
    "Córdoba"): ``condition`` gets the LIKE pattern of one typed word, already folded by
    ``fold_accents`` and escaped with a backslash. Used for names, which are where accents
    turn up; a plain expression in ``RegisterSpec.search`` ignores case only."""

    condition: Callable[[str], ColumnElement[bool]]


def accent_blind(expr: Expr) -> SearchTerm:
    """Search ``expr`` ignoring accents and case."""
    return SearchTerm(lambda pattern: accent_fold(expr).like(pattern, escape="\\"))


class _fold(FunctionElement[str]):  # noqa: N801 - an SQL function, named like one
    """``lower(expr)`` for case-blind search, written for each database so that it stays fast.

    SQLite's ``lower()`` folds ASCII only, exactly as its ``LIKE`` already ignores ASCII case,
    so there the call is left out: same matches, about four times faster over 100,000 titles.
    Other databases (PostgreSQL) fold every script with ``lower()``.
    """

    inherit_cache = True
    type = String()


@compiles(_fold)
def _fold_default(element: _fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(_fold, "sqlite")
def _fold_sqlite(element: _fold, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


def _contains_folded(expr: Expr, pattern: str) -> ColumnElement[bool]:
    return _fold(expr).like(pattern, escape="\\")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def word_conditions(text: str, search: Sequence[Expr | SearchTerm]) -> list[ColumnElement[bool]]:
    """One condition per typed word: some column of ``search`` contains it, case-blind, and
    accent-blind for ``accent_blind`` terms. The registers' quick search, and lists built
    outside a register (the training matrix) that must find the same people."""
    conditions: list[ColumnElement[bool]] = []
    for word in text.split():
        pattern = f"%{_escape_like(word.lower())}%"
        folded = f"%{_escape_like(fold_accents(word) or '')}%"
        conditions.append(
            or_(
                *(
                    item.condition(folded)
                    if isinstance(item, SearchTerm)
                    else _contains_folded(item, pattern)
                    for item in search
                )
            )
        )
    return conditions


def filtered(spec: RegisterSpec, query: RegisterQuery) -> Select[Any]:
    """The spec's base with the query's conditions, selecting nothing yet."""
    statement = spec.base()
    conditions: list[ColumnElement[bool]] = []
    if spec.archived_expr is not None and not query.include_archived:
        conditions.append(spec.archived_expr.is_(False))
    conditions += word_conditions(query.text, spec.search)
    if query.ids is not None:
        conditions.append(spec.id_expr.in_(query.ids))
    if conditions:
        statement = statement.where(and_(*conditions))
    by_key = {f.key: f for f in spec.filters}
    for key, value in query.filters.items():
        if value in (None, "", ()):
            continue
        if key not in by_key:
            raise KeyError(f"unknown filter {key!r} for {spec.name}")
        statement = by_key[key].apply(statement, value)
    return statement


def count(session: Session, spec: RegisterSpec, query: RegisterQuery) -> int:
    statement = filtered(spec, query).with_only_columns(func.count(spec.id_expr.distinct()))
    return session.scalar(statement) or 0


def total(session: Session, spec: RegisterSpec) -> int:
    return count(session, spec, RegisterQuery())


def sort_order(spec: RegisterSpec, query: RegisterQuery) -> tuple[str | None, bool]:
    """The column key and direction a query sorts by: its own, or the register's default.

    Without a sort key the register's default column and direction apply; ``descending`` then
    still asks for descending (the command line's ``--desc`` alone), never for ascending.
    """
    if query.sort_key is not None:
        return query.sort_key, query.descending
    return spec.default_sort, query.descending or spec.default_descending


def ordered(spec: RegisterSpec, query: RegisterQuery, statement: Select[Any]) -> Select[Any]:
    key, descending = sort_order(spec, query)
    if key is None:
        return statement.order_by(spec.id_expr.desc() if descending else spec.id_expr)
    column = spec.column(key)
    expr = column.sort_expr
    direction = expr.desc() if descending else expr.asc()
    tie = spec.id_expr.desc() if descending else spec.id_expr.asc()
    if not _may_be_null(spec, column.expr):
        # No NULLs to place: a plain ORDER BY lets the database walk the column's index and stop
        # after one page instead of sorting every row (NULLS LAST defeats SQLite's index).
        return statement.order_by(direction, tie)
    return statement.order_by(direction.nulls_last(), tie)


def _may_be_null(spec: RegisterSpec, expr: Any) -> bool:
    """Whether sorting on ``expr`` meets NULLs: a nullable column, or any column of a table the
    base LEFT JOINs (a collaboration without a department has no department name), so that
    both engines place those rows last."""
    if _nullable(expr):
        return True
    outer = _outer_joined(spec)
    return any(getattr(source, "name", None) in outer for source in expr._from_objects)


def _outer_joined(spec: RegisterSpec) -> frozenset[str]:
    """Names of the tables (or aliases) on the right of a LEFT JOIN in the spec's base."""
    cached = _OUTER_JOINED.get(spec.base)
    if cached is not None:
        return cached
    found: set[str] = set()
    for clause in _base_froms(spec):
        while isinstance(clause, Join):
            if clause.isouter:
                found.add(getattr(clause.right, "name", ""))
            clause = clause.left
    _OUTER_JOINED[spec.base] = result = frozenset(found)
    return result


def _base_froms(spec: RegisterSpec) -> Sequence[Any]:
    return spec.base().with_only_columns(spec.id_expr).get_final_froms()


#: What a spec's FROM clause is made of, and which queries can drop its joins, worked out once:
#: ``get_final_froms`` compiles the statement, a few milliseconds per keystroke otherwise.
_OUTER_JOINED: dict[Callable[[], Select[Any]], frozenset[str]] = {}
_SLIM: dict[tuple[Any, ...], RegisterSpec | None] = {}  # worker threads share it: get/set only


def _nullable(expr: Any) -> bool:
    column = getattr(expr, "expression", expr)
    nullable = getattr(column, "nullable", None)
    return nullable is not False


def fetch(
    session: Session,
    spec: RegisterSpec,
    query: RegisterQuery,
    offset: int = 0,
    limit: int | None = None,
    keys: Sequence[str] | None = None,
) -> list[tuple[Any, ...]]:
    """Rows as tuples ``(id, value of each column...)`` for the requested columns (default all)."""
    columns = [spec.column(key) for key in keys] if keys else list(spec.columns)
    statement: Select[Any] = filtered(spec, query).with_only_columns(
        spec.id_expr, *(c.expr.label(c.key) for c in columns)
    )
    statement = ordered(spec, query, statement).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [tuple(row) for row in session.execute(statement)]


class QueryCancelled(Exception):
    """A long read was abandoned because its result is no longer wanted (a newer query)."""


def ordered_ids(
    session: Session,
    spec: RegisterSpec,
    query: RegisterQuery,
    limit: int | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """The matching ids in display order: all of them, or the first ``limit``.

    A table view keeps the full list and reads columns only for the rows on screen
    (``rows_for_ids``): one scan per filter or sort instead of a count plus a scan per page. It
    asks for the first page alone first (``limit``), which an index answers in a few
    milliseconds, and for the whole list afterwards.

    ``cancelled`` is polled while the database works (SQLite) and between statements; when it
    turns true the read stops with ``QueryCancelled``.
    """
    with _interruptible(session, cancelled):
        if limit is None:
            used, statement = _ids_statement(spec, query)
            return list(session.scalars(ordered(used, query, statement)))
        ids: list[int] = []
        for statement in first_ids_statements(spec, query):
            ids.extend(session.scalars(statement.limit(limit - len(ids))))
            if len(ids) >= limit:
                break
        return ids


def first_ids_statements(spec: RegisterSpec, query: RegisterQuery) -> list[Select[Any]]:
    """The statements that read the matching ids in display order, to be read in turn (each with
    a LIMIT) until a page is full: usually one, walking an index.

    NULLS LAST cannot walk an index, so a page sorted on a column with gaps is read as the same
    order in two index-friendly parts: the rows with a value, then those without one.
    """
    used, statement = _ids_statement(spec, query)
    key, descending = sort_order(used, query)
    column = used.column(key) if key is not None else None
    if column is None or not _may_be_null(used, column.expr):
        return [ordered(used, query, statement)]
    value, expr = column.expr, column.sort_expr
    direction = expr.desc() if descending else expr.asc()
    tie = used.id_expr.desc() if descending else used.id_expr.asc()
    with_value = statement.where(value.is_not(None)).order_by(direction, tie)
    return [with_value, statement.where(value.is_(None)).order_by(tie)]


@contextmanager
def _interruptible(session: Session, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Let ``cancelled`` stop the statements run inside: SQLite checks it every few thousand
    steps; other databases finish the statement and stop at the next check."""
    if cancelled is None:
        yield
        return
    if cancelled():
        raise QueryCancelled
    # sqlite3 and its SQLCipher twin both offer the progress handler; psycopg has none.
    handler = getattr(
        session.connection().connection.driver_connection, "set_progress_handler", None
    )
    if handler is not None:
        handler(lambda: 1 if cancelled() else 0, 5000)
    try:
        yield
    except Exception as error:  # an interrupted statement raises the driver's own error
        if cancelled():
            raise QueryCancelled from error
        raise
    finally:
        if handler is not None:
            handler(None, 0)
    if cancelled():
        raise QueryCancelled


def _only_outer_joins(clause: Any) -> bool:
    if isinstance(clause, Join):
        return bool(clause.isouter) and _only_outer_joins(clause.left)
    return True


def _ids_statement(spec: RegisterSpec, query: RegisterQuery) -> tuple[RegisterSpec, Select[Any]]:
    """The filtered ids query, not yet ordered, and the spec it was built from.

    Drops the base's LEFT JOINs when nothing in the query needs them: a LEFT JOIN to a parent
    row (department, lead) neither adds nor removes rows, so when the search, filters and sort
    column only read the main table the joins are dead weight; SQLite does not drop them itself
    and they double the time of a scan. Keeps them whenever a condition or the sort refers to a
    joined table.
    """
    slim = _slim_spec(spec, query)
    if slim is None:
        return spec, filtered(spec, query).with_only_columns(spec.id_expr)
    return slim, filtered(slim, query).with_only_columns(spec.id_expr)


def _slim_spec(spec: RegisterSpec, query: RegisterQuery) -> RegisterSpec | None:
    """``spec`` on its main table alone, if ``query`` reads nothing else; cached by the shape of
    the query (sort column, whether there is a search, which filter values)."""
    active = tuple(
        sorted((k, repr(v)) for k, v in query.filters.items() if v not in (None, "", ()))
    )
    key = (
        spec.base,
        query.sort_key or spec.default_sort,
        bool(query.text.split()),
        active,
        query.ids is None,
        query.include_archived,
    )
    if key in _SLIM:
        return _SLIM.get(key)  # None if another thread just cleared it: keeping joins is safe
    slim = _work_out_slim_spec(spec, query)
    if len(_SLIM) > 1000:
        _SLIM.clear()
    _SLIM[key] = slim
    return slim


def _work_out_slim_spec(spec: RegisterSpec, query: RegisterQuery) -> RegisterSpec | None:
    froms = _base_froms(spec)
    if len(froms) != 1 or not isinstance(froms[0], Join) or not _only_outer_joins(froms[0]):
        return None
    main: Any = froms[0]
    while isinstance(main, Join):
        main = main.left
    sort_key = query.sort_key or spec.default_sort
    if sort_key is not None and any(
        getattr(source, "name", None) != main.name
        for source in spec.column(sort_key).sort_expr._from_objects
    ):
        return None  # sorting by a joined table's column (department, lead...)
    slim = replace(spec, base=lambda: select().select_from(main))
    statement = filtered(slim, query).with_only_columns(spec.id_expr)
    if len(ordered(slim, query, statement).get_final_froms()) != 1:
        return None  # a search, filter or the sort reads a joined table
    return slim


def rows_for_ids(session: Session, spec: RegisterSpec, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Rows ``(id, value of each column...)`` for ``ids``, in the order of ``ids``."""
    if not ids:
        return []
    rows = {row[0]: tuple(row) for row in session.execute(rows_statement(spec, ids))}
    return [rows[record_id] for record_id in ids if record_id in rows]


def rows_statement(spec: RegisterSpec, ids: Sequence[int]) -> Select[Any]:
    """The statement reading ``(id, value of each column...)`` for ``ids``, in no order."""
    return (
        spec.base()
        .where(spec.id_expr.in_(list(ids)))
        .with_only_columns(spec.id_expr, *(c.expr.label(c.key) for c in spec.columns))
    )


def iterate(
    session: Session,
    spec: RegisterSpec,
    query: RegisterQuery,
    batch: int = 5000,
    keys: Sequence[str] | None = None,
) -> Any:
    """All matching rows in order, streamed in batches (for exports and listings).

    The result is closed however the reader stops: an export cancelled half-way on PostgreSQL
    would otherwise leave its server-side cursor open until the garbage collector found it.
    """
    columns = [spec.column(key) for key in keys] if keys else list(spec.columns)
    statement = filtered(spec, query).with_only_columns(
        spec.id_expr, *(c.expr.label(c.key) for c in columns)
    )
    statement = ordered(spec, query, statement)
    with session.execute(statement.execution_options(yield_per=batch)) as result:
        for row in result:
            yield tuple(row)


def empty_select() -> Select[Any]:
    return select()
