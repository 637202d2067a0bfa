"""The state that the demo sections share, and the one place where they write rows.

Every section receives the same :class:`DemoContext`: one random generator (so that the whole run
depends on the seed alone), the anchor date that stands for "today", the connection of the single
write transaction, and the ids and facts that later sections need from earlier ones (departments,
staff, partners, collaborations).

Rows are written with :meth:`DemoContext.write`: in batches, each handed to the context's
``sink``. In one process the sink is a :class:`BatchWriter` (bulk Core inserts with explicit ids,
each batch followed by its audit entries, so that ``rsdesk audit verify`` accepts the result); when
a second process generates, the sink sends the batch to the process that writes (see
``rsdesk.services.demo.pipe``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, FromClause, Table

from rsdesk.db import auditlog
from rsdesk.db.bulk import Encoded, bulk_insert, is_fast
from rsdesk.models import Base
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

#: Rows per INSERT batch (and per group of audit entries).
BATCH = 20_000


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    code: str
    #: Research fields, topics, technology areas and dual-use categories typical of the department.
    profile_key: str


@dataclass(frozen=True)
class StaffRow:
    """What other sections need to know about a generated staff member.

    The people/training section decides onboarding checks and training from these fields alone
    (role and research sensitivity, never who the person is).
    """

    id: int
    full_name: str
    email: str
    role_category: str
    department_id: int
    start_date: dt.date
    end_date: dt.date | None
    research_area: str | None
    technology_area_code: str | None
    dual_use_code: str | None
    sensitive_facility_access: bool


@dataclass(frozen=True)
class PartnerRow:
    id: int
    name: str
    kind: str
    country: str


@dataclass
class CollaborationRow:
    id: int
    reference: str
    title: str
    kind: str
    status: str
    department_id: int
    lead_staff_id: int | None
    partner_ids: tuple[int, ...]
    proposed_on: dt.date
    start_date: dt.date | None
    end_date: dt.date | None
    technology_area_codes: tuple[str, ...]
    dual_use_code: str | None
    research_field: str
    topic: str
    risk_level: str | None = None
    next_review_date: dt.date | None = None


#: Receives one batch of rows for a table (by name), all with the same keys.
Sink = Callable[[str, Sequence[Mapping[str, Any]]], None]


@dataclass
class DemoContext:
    """Shared state of one demo run; sections read what earlier ones produced and add their own."""

    #: The write transaction's connection, or None where ``sink`` sends the rows elsewhere.
    connection: Connection | None
    rng: random.Random
    anchor: dt.date
    actor: str
    size: int
    progress: Progress = no_progress
    cancel: CancelToken = NEVER_CANCELLED
    #: Where the batches go: by default a :class:`BatchWriter` on ``connection``.
    sink: Sink | None = None
    #: Reference data read from the database (codes in a fixed order, for determinism).
    technology_areas: tuple[str, ...] = ()
    most_sensitive_areas: frozenset[str] = frozenset()
    dual_use_codes: tuple[str, ...] = ()
    #: Settings the office saved before the demo ran (first run saves the institution's name
    #: first): their keys, which the demo leaves alone, and the highest id, which it continues.
    existing_setting_keys: frozenset[str] = frozenset()
    last_setting_id: int = 0
    #: Courses opening the database already put in (code, id): the demo's records use them.
    existing_courses: tuple[tuple[str, int], ...] = ()
    #: Filled by the sections, in order.
    departments: list[DepartmentRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    #: Staff of the research-security office who sign appraisals off (subset of ``staff``).
    officers: list[StaffRow] = field(default_factory=list)
    partners: list[PartnerRow] = field(default_factory=list)
    collaborations: list[CollaborationRow] = field(default_factory=list)
    #: Appraisals planned by the collaborations section (they decide a collaboration's risk level
    #: and review date) and written by the appraisals section.
    appraisal_plans: list[dict[str, Any]] = field(default_factory=list)
    #: Free room for later sections (for example the people section's course ids).
    extra: dict[str, Any] = field(default_factory=dict)
    _next_ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.sink is None:
            if self.connection is None:
                raise ValueError("A demo context needs a connection or a sink.")
            self.sink = BatchWriter(self.connection, self.actor)

    # --- ids -------------------------------------------------------------------------------

    def new_id(self, table: FromClause | str) -> int:
        """The next explicit id for ``table`` (the demo fills an empty database, so from 1)."""
        name = _name(table)
        value = self._next_ids.get(name, 0) + 1
        self._next_ids[name] = value
        return value

    def reserve_ids(self, table: FromClause | str, start_after: int) -> None:
        name = _name(table)
        self._next_ids[name] = max(self._next_ids.get(name, 0), start_after)

    def last_id(self, table: FromClause | str) -> int:
        name = _name(table)
        return self._next_ids.get(name, 0)

    # --- dates -----------------------------------------------------------------------------

    def days_ago(self, days: int) -> dt.date:
        return self.anchor - dt.timedelta(days=days)

    def moment(self, day: dt.date) -> dt.datetime:
        """A plausible office-hours time on ``day`` (UTC, to the second)."""
        return dt.datetime(
            day.year, day.month, day.day, self.rng.randint(7, 16), self.rng.randint(0, 59),
            self.rng.randint(0, 59),
        )  # fmt: skip

    # --- writing ---------------------------------------------------------------------------

    def write(self, table: FromClause, rows: Iterable[Mapping[str, Any]], label: str = "") -> int:
        """Hand ``rows`` (each with its explicit ``id``) to the sink in batches.

        Every row of one call must have the same keys. ``label`` names them in progress messages.
        Returns the number of rows written.
        """
        assert isinstance(table, Table)
        written = 0
        batch: list[Mapping[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                written += self._flush(table, batch)
                batch = []
        if batch:
            written += self._flush(table, batch)
        return written

    def _flush(self, table: Table, batch: Sequence[Mapping[str, Any]]) -> int:
        self.cancel.raise_if_cancelled()
        assert self.sink is not None
        self.sink(table.name, batch)
        return len(batch)


class BatchWriter:
    """Inserts batches of demo rows and their audit entries in the caller's transaction."""

    def __init__(self, connection: Connection, actor: str) -> None:
        self.connection = connection
        self.actor = actor
        # Encoded JSON documents, shared by the audit entries of the whole run.
        self._texts = auditlog.TextCache()
        self._specs = auditlog.audited_specs()
        self._json = JsonTexts(self._texts) if is_fast(connection) else None

    def __call__(self, table_name: str, batch: Sequence[Mapping[str, Any]]) -> None:
        table = Base.metadata.tables[table_name]
        stored = batch if self._json is None else self._json.encode(table_name, batch)
        bulk_insert(self.connection, table, stored)
        if table_name in self._specs:
            # Demo rows' dicts and lists are JSON-ready already, and shared between rows drawn
            # from one pool: they are hashed as they are, each encoded once per run.
            auditlog.append_inserts(
                self.connection, self.actor, table_name, batch, texts=self._texts
            )


class JsonTexts:
    """Puts the canonical text (compact, sorted keys) in place of the JSON documents of rows.

    That text is what the audit entry hashes, so ``audit verify`` can hash the stored text as it
    is instead of decoding and re-encoding every document; it reads back as the same JSON. Only
    where ``bulk_insert`` takes :class:`Encoded` values (SQLite). A document shared by many rows
    is encoded once. The generating child process does this for the writing one (see
    ``rsdesk.services.demo.pipe``), which then only passes the texts on.
    """

    def __init__(self, texts: auditlog.TextCache | None = None) -> None:
        self._texts = texts if texts is not None else auditlog.TextCache()
        self._columns: dict[str, tuple[str, ...]] = {}

    def columns(self, table_name: str) -> tuple[str, ...]:
        names = self._columns.get(table_name)
        if names is None:
            table = Base.metadata.tables[table_name]
            names = tuple(c.name for c in table.columns if isinstance(c.type, JSON))
            self._columns[table_name] = names
        return names

    def encode(
        self, table_name: str, batch: Sequence[Mapping[str, Any]]
    ) -> Sequence[Mapping[str, Any]]:
        """``batch`` with its documents as :class:`Encoded` texts (rows copied, not changed)."""
        names = self.columns(table_name)
        if not names:
            return batch
        value_text = self._texts.value
        out: list[Mapping[str, Any]] = []
        for row in batch:
            copy: dict[str, Any] | None = None
            for name in names:
                value = row.get(name)
                if type(value) is dict or type(value) is list:
                    if copy is None:
                        copy = dict(row)
                    copy[name] = Encoded(value_text(value))
            out.append(row if copy is None else copy)
        return out


def _name(table: FromClause | str) -> str:
    if isinstance(table, str):
        return table
    assert isinstance(table, Table)
    return table.name


#: A section adds one kind of records (or a few related ones) and returns its counts.
Section = Callable[[DemoContext], dict[str, int]]
