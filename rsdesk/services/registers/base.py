"""One description per register (columns, quick search, filters, sorting), shared by the table
views, the Excel and PDF listings and the command line, so that "the current filtered view" means
the same rows everywhere.

Sorting, filtering and paging happen in the database; a view asks for a count and then for pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Join

from rsdesk.db.text_folding import accent_fold, fold_accents

#: A column or an expression: model attributes (``Partner.name``) and Core expressions alike.
Expr = ColumnElement[Any] | QueryableAttribute[Any]

#: Kinds of column, which decide formatting in views, Excel and PDF.
TEXT, INT, MONEY, DATE, DATETIME, BOOL, ENUM, RISK, STATUS = (
    "text",
    "int",
    "money",
    "date",
    "datetime",
    "bool",
    "enum",
    "risk",
    "status",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expr: Expr
    kind: str = TEXT
    visible: bool = True
    #: Typical width in characters, for views and spreadsheets.
    width: int = 16
    #: For ENUM/STATUS/RISK columns: the allowed values (drop-downs, validation).
    choices: tuple[str, ...] = ()
    #: Holds personal data (pseudonymised in exports that leave the office).
    personal: bool = False
    #: What an empty cell means, shown (muted) instead of a blank: "Not appraised" for a
    #: collaboration's risk. Sorting and filtering still see the empty value.
    empty_text: str = ""
    #: What the column sorts by, when not its value: a name by its folded form
    #: (``text_folding.sortable``), so that "Łukasz" sorts among the L's and not after Z. Empty
    #: exactly where ``expr`` is.
    sort_by: Expr | None = None
    #: Whether a PDF listing prints the column; None means as in the view (``visible``). A note
    #: the view keeps for the detail pane is what an auditor reads on paper.
    printed: bool | None = None
    #: Values are single words (a login, a code) that must print whole: a listing keeps the
    #: column at its typical width instead of breaking "eleni.schroeder" across two lines.
    unbroken: bool = False

    @property
    def in_print(self) -> bool:
        return self.visible if self.printed is None else self.printed

    @property
    def sort_expr(self) -> Expr:
        return self.expr if self.sort_by is None else self.sort_by


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


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    #: Adds the condition for ``value`` to the query.
    apply: Callable[[Select[Any], Any], Select[Any]]
    #: (value, label) pairs the user picks from; a callable when they come from the database.
    choices: Callable[[Session], Sequence[tuple[Any, str]]] | None = None


@dataclass(frozen=True)
class RegisterSpec:
    name: str
    title: str
    #: The record's id expression (first value of every fetched row).
    id_expr: Expr
    #: The FROM clause: a select of nothing but joins, e.g. ``select().select_from(a.join(b))``.
    base: Callable[[], Select[Any]]
    columns: tuple[Column, ...]
    #: What the quick filter searches: expressions (case-blind) or ``SearchTerm``s (accents too).
    search: tuple[Expr | SearchTerm, ...] = ()
    filters: tuple[Filter, ...] = ()
    default_sort: str | None = None
    #: Whether the default sort runs newest (or highest) first, so that a register opens on what
    #: matters now rather than on records that ended years ago.
    default_descending: bool = False
    archived_expr: Expr | None = None
    #: Table name in the audit log, for the history tab.
    audit_table: str | None = None
    #: Filters the view opens with, which exports and listings made without a view use too, so
    #: that paper shows what the screen shows ("current list versions"). ``KEY=all`` on the
    #: command line (``ALL_VALUES``) lifts one.
    default_filters: tuple[tuple[str, Any], ...] = ()

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def column_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


@dataclass(frozen=True)
class RegisterQuery:
    text: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort_key: str | None = None
    descending: bool = False
    include_archived: bool = False
    #: Restrict to these ids (e.g. a dashboard drill-down); None means no restriction.
    ids: tuple[int, ...] | None = None

    def describe(self, spec: RegisterSpec, session: Session | None = None) -> str:
        """Human summary of the query, for export cover sheets and report stamps.

        With a session, a filter's value reads as the choice the user picked ("Risk level =
        Very high", "Department = Physics"), not as the code or id it is stored as.
        """
        parts = []
        if self.text:
            parts.append(f'search "{self.text}"')
        filters = {f.key: f for f in spec.filters}
        for key, value in sorted(self.filters.items()):
            if value in (None, "", ()):
                continue
            spec_filter = filters.get(key)
            if spec_filter is None:
                parts.append(f"{key} = {value}")
                continue
            shown = value
            if session is not None and spec_filter.choices is not None and _hashable(value):
                shown = dict(spec_filter.choices(session)).get(value, value)
            parts.append(f"{spec_filter.label} = {shown}")
        for key, _value in spec.default_filters:
            if self.filters.get(key) in (None, "", ()) and key in filters:
                parts.append(f"{filters[key].label}: all")
        if self.include_archived:
            parts.append("archived included")
        return "; ".join(parts) if parts else "all records"


#: The filter value that lifts a default filter (``--filter current=all``).
ALL_VALUES = "all"


def with_default_filters(spec: RegisterSpec, query: RegisterQuery) -> RegisterQuery:
    """The query with the spec's default filters where it names none; a filter set to
    ``ALL_VALUES`` is lifted instead (kept as empty, so that ``describe`` says "all")."""
    filters = dict(spec.default_filters)
    filters.update(query.filters)
    filters = {k: (None if v == ALL_VALUES else v) for k, v in filters.items()}
    return replace(query, filters=filters)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


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
        used, statement = _ids_statement(spec, query)
        key, descending = sort_order(used, query)
        column = used.column(key) if key is not None else None
        if limit is None or column is None or not _may_be_null(used, column.expr):
            statement = ordered(used, query, statement)
            if limit is not None:
                statement = statement.limit(limit)
            return list(session.scalars(statement))
        # NULLS LAST cannot walk an index, so a first page sorted on a column with gaps is read
        # as the same order in two index-friendly parts: the values, then the rows without one.
        value, expr = column.expr, column.sort_expr
        direction = expr.desc() if descending else expr.asc()
        tie = used.id_expr.desc() if descending else used.id_expr.asc()
        with_value = statement.where(value.is_not(None)).order_by(direction, tie).limit(limit)
        ids = list(session.scalars(with_value))
        if len(ids) < limit:
            without = statement.where(value.is_(None)).order_by(tie).limit(limit - len(ids))
            ids.extend(session.scalars(without))
        return ids


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
    statement = (
        spec.base()
        .where(spec.id_expr.in_(list(ids)))
        .with_only_columns(spec.id_expr, *(c.expr.label(c.key) for c in spec.columns))
    )
    rows = {row[0]: tuple(row) for row in session.execute(statement)}
    return [rows[record_id] for record_id in ids if record_id in rows]


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
