"""Lookups shared by the import targets: departments, staff and partners by normalised name."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Integer, Table, func, select
from sqlalchemy.orm import Session

from rsdesk.db import auditlog
from rsdesk.db.bulk import bulk_insert as fast_insert
from rsdesk.db.bulk import insert_tuples, is_fast, stored_values
from rsdesk.models import AuditEntry, Department, Partner, PartnerName, StaffMember
from rsdesk.services.importers import plan as p
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


#: Headers of a column that names people by staff number, e-mail or name, whichever each row
#: holds (the "person" field of the onboarding and training imports).
PERSON_SYNONYMS = ("person", "staff", "employee", "staff member", "participant")


#: The fields of an import that name a person, in the order they are trusted.
PERSON_KEYS = ("staff_number", "email", "person", "staff_name")

#: Those fields as the imports of people's records (training, onboarding) map them; the staff
#: number, e-mail or name, whichever each row holds, may also come in one "Person" column.
PERSON_FIELDS = (
    p.Field(
        "staff_number",
        "Staff no.",
        max_length=40,
        synonyms=("staff number", "employee number", "employee id", "personnel number"),
    ),
    p.Field("email", "E-mail", max_length=254, synonyms=("email address", "mail")),
    p.Field("person", "Person", synonyms=PERSON_SYNONYMS),
    p.Field("staff_name", "Name", synonyms=("full name",)),
)


class Staff:
    """Staff members by staff number, e-mail (any case) and normalised name."""

    def __init__(self, session: Session) -> None:
        self.by_number: dict[str, int] = {}
        self.by_email: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.name_of: dict[int, str] = {}
        self._suggestions: dict[str, str | None] = {}
        for id_, number, email, name in session.execute(
            select(
                StaffMember.id, StaffMember.staff_number, StaffMember.email, StaffMember.full_name
            )
        ):
            self.by_number[number.strip().lower()] = id_
            if email:
                self.by_email[email.strip().lower()].add(id_)
            self.by_name[normalise(name)].append(id_)
            self.name_of[id_] = name

    def find(self, text: str, current: int | None = None) -> tuple[int | None, str | None]:
        """(id, None) or (None, reason) for a person named by staff number, e-mail (an
        e-mail-shaped value) or name, so that a "Person" column mixing them works. ``current``:
        the record's present person, kept when the name is shared by several people but is
        still this person's name."""
        key = text.strip().lower()
        if is_email(text):
            return self.find_email(text)
        if key in self.by_number:
            return self.by_number[key], None
        found = self.by_name.get(normalise(text), [])
        if len(found) == 1:
            return found[0], None
        if current is not None and current in found:
            return current, None
        if found:
            return None, f"{len(found)} staff members are called {text!r}; give the staff number"
        return None, self._not_found(
            f"with staff number or name {text!r}", text, sorted(set(self.name_of.values()))
        )

    def find_email(self, text: str) -> tuple[int | None, str | None]:
        """(id, None) or (None, reason) for the person with this e-mail, in any case."""
        owners = self.by_email.get(text.strip().lower(), set())
        if len(owners) == 1:
            return next(iter(owners)), None
        if owners:
            return (
                None,
                f"{len(owners)} staff members share the e-mail {text!r}; give the staff no.",
            )
        return None, self._not_found(f"with e-mail {text!r}", text, self._emails())

    def identify(self, named: list[tuple[str, str]]) -> tuple[int | None, str, str | None]:
        """The person a row names: ``named`` holds (field, text) pairs for the columns that
        name them, ``email`` (an e-mail) or any other field (staff number, e-mail or name,
        whichever the text is). Returns (id, field, None) or (None,
        field, reason). A second identifier naming someone else is refused: the row was edited
        or pasted wrongly, so neither is trusted. The onboarding and training imports share it,
        so that both accept the same files."""
        staff_id: int | None = None
        first = ("", "")
        for key, text in named:
            if key == "staff_number":
                # A name pasted into the number column still names its person, as it always has.
                found, reason = self.find(text, staff_id)
                if found is None and (reason or "").startswith("no staff member"):
                    reason = f"no staff member with staff number {text!r}"
            elif key == "email":
                found, reason = self.find_email(text)
            else:
                found, reason = self.find(text, staff_id)
            if staff_id is None:
                if found is None:
                    return None, key, reason
                staff_id, first = found, (key, text)
            elif found != staff_id:
                return None, key, _not_the_same(first, (key, text), self.name_of[staff_id])
        return staff_id, first[0], None

    def _emails(self) -> list[str]:
        return sorted(self.by_email)

    def _not_found(self, looked_for: str, text: str, choices: list[str]) -> str:
        """Says what was looked for; tells to import the staff only when there are none, and
        suggests the closest entry otherwise."""
        if not self.name_of:
            return (
                f"no staff member {looked_for}: the staff register is empty "
                "(import the staff first)"
            )
        if text not in self._suggestions:
            from rsdesk.services.importers.lookalikes import suggest

            self._suggestions[text] = suggest(text, choices)
        meant = self._suggestions[text]
        return f"no staff member {looked_for}" + (f"; did you mean {meant!r}?" if meant else "")


def _kind(key: str, text: str) -> str:
    """What an identifier is, in words: "number", "e-mail" or "name"."""
    if key == "staff_number":
        return "number"
    return "e-mail" if key == "email" or is_email(text) else "name"


def _not_the_same(first: tuple[str, str], other: tuple[str, str], name: str) -> str:
    """Why a row naming a person twice is refused ("'Jane Doe' is not staff number S-002
    (Ahmed Ali); correct the name or the number")."""
    first_kind, other_kind = _kind(*first), _kind(*other)
    named = {"number": f"staff number {first[1]}", "e-mail": f"the e-mail {first[1]}"}.get(
        first_kind, repr(first[1])
    )
    text = other[1]
    if other_kind == "e-mail":
        return (
            f"{text!r} is not the e-mail of {named} ({name}); correct the e-mail or the "
            f"{first_kind}"
        )
    return f"{text!r} is not {named} ({name}); correct the {other_kind} or the {first_kind}"


def is_email(text: str) -> bool:
    """Whether a person's identifier is an e-mail address (something@domain), not a number or
    a name."""
    local, at, domain = text.strip().partition("@")
    return bool(at and local and domain and " " not in text.strip())


#: New partners created (flushed and screened) together.
CREATE_CHUNK = 500


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
        """Creates the new partners that ``wanted`` keys name (default all), screened as usual,
        :data:`CREATE_CHUNK` at a time (``partners.create_many``: one flush and one screening
        pass per chunk; one by one, 1,800 new partners took 8 s of a 12 s import)."""
        from rsdesk.services import partners

        keys = [
            key for key in self.new if (wanted is None or key in wanted) and key not in self.by_name
        ]
        for chunk in chunks(keys, CREATE_CHUNK):
            inputs = [partners.PartnerInput(name=self.new[key], kind="other") for key in chunk]
            self.by_name.update(zip(chunk, partners.create_many(session, inputs), strict=True))

    def id_of(self, resolved: tuple[str, Any]) -> int:
        return resolved[1] if resolved[0] == "id" else self.by_name[resolved[1]]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class BulkInserts:
    """The bulk inserts of one import, each one ``executemany``, and their audit entries::

        inserts = BulkInserts(session)
        ids = inserts.insert(table, rows, key_columns)   # as many times as needed
        inserts.audit(beside=indexes.rebuild_while)      # the entries, in the order inserted

    On SQLite the new rows get the ids SQLite would give them (one above the largest, as for any
    table without AUTOINCREMENT; the write lock is held), written explicitly, so nothing is read
    back, and their audit entries wait for :meth:`audit`, which may compute them beside other
    work that holds the connection (a rebuild of the indexes). Elsewhere ``key_columns``, which
    identify a row among the new ones, read the ids back (RETURNING in parameter order would make
    SQLite run one statement per row) and each insert is audited at once.
    """

    def __init__(self, session: Session) -> None:
        session.flush()  # ORM changes first, so that their audit entries chain before these
        self.connection: Connection = session.connection()
        self.actor = session.info.get("actor") or "unknown"
        #: Table name and rows (with their ids) not yet audited, in the order inserted.
        self._unaudited: list[tuple[str, list[dict[str, Any]]]] = []

    @property
    def takes_driver_values(self) -> bool:
        """Whether :meth:`insert` accepts rows holding the values as the driver stores them
        (``driver_values=True``): dates as ``YYYY-MM-DD`` text, times as :func:`stored_time`
        gives them, enum values as their text, booleans as they are (SQLite only)."""
        return is_fast(self.connection)

    def stored_time(self, table: Table, value: dt.datetime) -> Any:
        """``value`` as ``table``'s ``created_at`` column hands it to the driver."""
        return stored_values(self.connection, table, {"created_at": value})[0]

    def insert(
        self,
        table: Table,
        rows: list[dict[str, Any]],
        key_columns: tuple[str, ...],
        *,
        driver_values: bool = False,
    ) -> list[int]:
        """Inserts ``rows`` (the caller's fresh dicts: the ids are put in them).

        ``driver_values`` (where :attr:`takes_driver_values`): the rows hold what the driver
        stores, and go to ``executemany`` as they are, with no conversion column by column
        (0.3 s of 100,000 collaborations and their links). Their audit entries are the same:
        a date's text and an enum's value are their canonical forms.
        """
        if not rows:
            return []
        connection = self.connection
        assert not driver_values or self.takes_driver_values
        write = _tuples_insert if driver_values else fast_insert
        if (
            _ids_predictable(connection, table)
            and not _has_json_column(table)
            and auditlog.entries_in_bulk(connection, table.name)
        ):
            first_id = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            new_ids = list(range(first_id, first_id + len(rows)))
            for id_, row in zip(new_ids, rows):
                row["id"] = id_  # a copy of each row cost 0.1 s per 100,000
            write(connection, table, rows)
            self._unaudited.append((str(table.name), rows))
            return new_ids
        self.audit()  # entries in the order of the inserts
        write(connection, table, rows)
        new_ids = _read_back_ids(connection, table, rows, key_columns)
        # Canonical copies of any JSON documents, so that append_inserts may hash them as is.
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
        auditlog.append_inserts(connection, self.actor, table.name, audited)
        return new_ids

    def audit(self, beside: Callable[[Callable[[], Any]], Any] | None = None) -> None:
        """Writes the entries of the rows inserted so far. ``beside(work)``, if given, runs the
        entries' computation, which does not touch the connection, beside its own use of it."""
        if not self._unaudited:
            return
        connection, actor = self.connection, self.actor
        pending, self._unaudited = self._unaudited, []
        tip = auditlog.ChainTip.read(connection)
        texts = auditlog.TextCache()

        def entries() -> list[list[tuple[Any, ...]]]:
            values = []
            while pending:  # each batch of rows let go once its entries are made
                name, rows = pending.pop(0)
                values.append(
                    auditlog.insert_entry_values(connection, actor, name, rows, tip, texts=texts)
                )
            return values

        batches = beside(entries) if beside is not None else entries()
        table = AuditEntry.__table__
        assert isinstance(table, Table)
        while batches:
            insert_tuples(connection, table, auditlog.ENTRY_COLUMNS, batches.pop(0))
        tip.store(connection)


def _tuples_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Rows of driver values (every row with the first row's keys) inserted as they are."""
    names = tuple(rows[0])
    pick = itemgetter(*names)
    values = [(row[names[0]],) for row in rows] if len(names) == 1 else list(map(pick, rows))
    return insert_tuples(connection, table, names, values)


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
