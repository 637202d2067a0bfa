"""Lookups shared by the import targets: departments, staff and partners by normalised name."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Connection, Integer, Table, func, select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.db.bulk import bulk_insert as fast_insert
from rsdesk.db.bulk import is_fast
from rsdesk.models import Department, Partner, PartnerName, StaffMember
from rsdesk.services.importers.coerce import normalise


class Departments:
    """Departments by normalised name; unknown names become new departments on write."""

    def __init__(self, session: Session) -> None:
        self.by_name = {
            normalise(name): (id_, name)
            for id_, name in session.execute(select(Department.id, Department.name))
        }
        self.names_by_id = {id_: name for id_, name in self.by_name.values()}
        self.new: dict[str, str] = {}

    def resolve(self, name: str | None) -> tuple[str, Any] | None:
        """("id", 3) for a known department, ("new", key) for one to create, None for blank."""
        if not name:
            return None
        key = normalise(name)
        if key in self.by_name:
            return ("id", self.by_name[key][0])
        self.new.setdefault(key, name)
        return ("new", key)

    def create_new(self, session: Session, wanted: set[str] | None = None) -> None:
        """Creates the new departments that ``wanted`` keys name (default all)."""
        for key, name in self.new.items():
            if (wanted is not None and key not in wanted) or key in self.by_name:
                continue
            department = Department(name=name)
            session.add(department)
            session.flush()
            self.by_name[key] = (department.id, name)

    def id_of(self, resolved: tuple[str, Any] | None) -> int | None:
        if resolved is None:
            return None
        return resolved[1] if resolved[0] == "id" else self.by_name[resolved[1]][0]


class Staff:
    """Staff members by staff number and by normalised name."""

    def __init__(self, session: Session) -> None:
        self.by_number: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.name_of: dict[int, str] = {}
        for id_, number, name in session.execute(
            select(StaffMember.id, StaffMember.staff_number, StaffMember.full_name)
        ):
            self.by_number[number.strip().lower()] = id_
            self.by_name[normalise(name)].append(id_)
            self.name_of[id_] = name

    def find(self, text: str, current: int | None = None) -> tuple[int | None, str | None]:
        """(id, None) or (None, reason). ``current``: the record's present person, kept when the
        name is shared by several people but is still this person's name."""
        if text.strip().lower() in self.by_number:
            return self.by_number[text.strip().lower()], None
        found = self.by_name.get(normalise(text), [])
        if len(found) == 1:
            return found[0], None
        if current is not None and current in found:
            return current, None
        if found:
            return None, f"{len(found)} staff members are called {text!r}; give the staff number"
        return None, f"no staff member {text!r} (import the staff first)"


class Partners:
    """Partners by normalised name and other names; unknown names become new partners."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[str, int] = {}
        for id_, name in session.execute(select(PartnerName.partner_id, PartnerName.name)):
            self.by_name.setdefault(normalise(name), id_)
        self.names: dict[int, str] = {}
        for id_, name in session.execute(select(Partner.id, Partner.name)):
            self.by_name[normalise(name)] = id_
            self.names[id_] = name
        self.new: dict[str, str] = {}

    def resolve(self, name: str) -> tuple[str, Any]:
        key = normalise(name)
        if key in self.by_name:
            return ("id", self.by_name[key])
        self.new.setdefault(key, name)
        return ("new", key)

    def create_new(self, session: Session, wanted: set[str] | None = None) -> None:
        """Creates the new partners that ``wanted`` keys name (default all), screened as usual."""
        from rsdesk.services import partners

        for key, name in self.new.items():
            if (wanted is not None and key not in wanted) or key in self.by_name:
                continue
            detail = partners.create(session, partners.PartnerInput(name=name, kind="other"))
            self.by_name[key] = detail.id

    def id_of(self, resolved: tuple[str, Any]) -> int:
        return resolved[1] if resolved[0] == "id" else self.by_name[resolved[1]]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def bulk_insert(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    key_columns: tuple[str, ...],
) -> list[int]:
    """Inserts ``rows`` with one executemany and audits them; returns their ids in order.

    On SQLite the new rows get the ids SQLite would give them (one above the largest, as for
    any table without AUTOINCREMENT; the write lock is held), written explicitly, so nothing has
    to be read back. Elsewhere ``key_columns``, which identify a row uniquely among the new
    ones, read the ids back (RETURNING in parameter order would make SQLite run one statement
    per row).
    """
    if not rows:
        return []
    session.flush()  # ORM changes first, so that their audit entries chain before these
    connection: Connection = session.connection()
    with_ids: list[dict[str, Any]] | None = None
    if _ids_predictable(connection, table):
        first_id = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        new_ids = list(range(first_id, first_id + len(rows)))
        with_ids = [{**row, "id": id_} for id_, row in zip(new_ids, rows)]
        fast_insert(connection, table, with_ids)
    else:
        fast_insert(connection, table, rows)
        new_ids = _read_back_ids(connection, table, rows, key_columns)
    actor = session.info.get("actor") or "unknown"
    if with_ids is not None and not _has_json_column(table):
        audited = with_ids  # nothing to put in canonical form
    else:
        # Canonical copies of any JSON documents, so that append_inserts may hash them as they are.
        audited = [
            {
                **{
                    name: auditlog.canonical(v) if isinstance(v, dict | list) else v
                    for name, v in row.items()
                },
                "id": id_,
            }
            for id_, row in zip(new_ids, rows)
        ]
    auditlog.append_inserts(connection, actor, table.name, audited)
    return new_ids


def _ids_predictable(connection: Connection, table: Table) -> bool:
    """Whether SQLite numbers this table's new rows one above its largest id (an INTEGER PRIMARY
    KEY without AUTOINCREMENT), so that the importer may write those ids itself."""
    if not is_fast(connection) or "id" not in table.c:
        return False
    column = table.c.id
    return (
        list(table.primary_key.columns) == [column]
        and isinstance(column.type, Integer)
        and not table.kwargs.get("sqlite_autoincrement")
    )


def _has_json_column(table: Table) -> bool:
    return any(
        isinstance(c.type, JSON) or isinstance(getattr(c.type, "impl_instance", None), JSON)
        for c in table.c
    )


def _read_back_ids(
    connection: Connection, table: Table, rows: list[dict[str, Any]], key_columns: tuple[str, ...]
) -> list[int]:
    ids: dict[tuple[Any, ...], int] = {}
    first = key_columns[0]
    values = list(dict.fromkeys(row[first] for row in rows))
    columns = [table.c[name] for name in key_columns]
    for start in range(0, len(values), 900):
        chunk = values[start : start + 900]
        for found in connection.execute(
            select(table.c.id, *columns).where(table.c[first].in_(chunk))
        ):
            ids[tuple(found[1:])] = found[0]
    return [ids[tuple(row[name] for name in key_columns)] for row in rows]


def chunks(items: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
