"""Realistic, deterministic demo data: a synthetic institution in one write transaction.

``generate(db, size=N, seed=S)`` fills an empty database with departments, staff, partners (names
in many scripts), ``N`` collaborations of every kind and status over the last six years, their
appraisals (scored by the real engine), mitigation measures and advice requests, and returns the
number of records per kind. The same seed and the same anchor date ("today") give the same data.

The work is a pipeline of *sections* (:data:`SECTIONS`), each a function ``section(ctx) -> counts``
that reads what earlier sections left in the shared :class:`DemoContext` and writes its rows with
``ctx.write(table, rows)`` (bulk inserts with explicit ids and their audit entries).

Adding a section (for example the people/training engineer's onboarding checks and training
records): write ``rsdesk/services/demo/people.py`` with ``def people(ctx: DemoContext) ->
dict[str, int]``, draw every random choice from ``ctx.rng``, take ids from ``ctx.new_id(table)``,
use ``ctx.staff`` (:class:`StaffRow`: id, role_category, department_id, start_date, end_date,
technology_area_code, dual_use_code, sensitive_facility_access) and ``ctx.anchor`` for "today",
and append it to :data:`SECTIONS` after ``staff`` (its position changes the random stream of the
sections after it, which is fine: determinism holds per code version).
"""

from __future__ import annotations

import datetime as dt
import sys
from contextlib import ExitStack, nullcontext

from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.db.bulk import is_fast
from rsdesk.db.deferred_indexes import drop_plain_indexes
from rsdesk.db.engine import rollback_journal_for_load
from rsdesk.db.page_cache import bulk_page_cache
from rsdesk.models import (
    Collaboration,
    Department,
    DualUseCategory,
    Partner,
    Setting,
    StaffMember,
    TechnologyArea,
)
from rsdesk.services.demo.advice import advice_requests
from rsdesk.services.demo.appraisals import appraisals
from rsdesk.services.demo.assets import assets
from rsdesk.services.demo.collaborations import collaborations
from rsdesk.services.demo.context import (
    BatchWriter,
    CollaborationRow,
    DemoContext,
    DepartmentRow,
    PartnerRow,
    Section,
    StaffRow,
)
from rsdesk.services.demo.organisation import departments, staff
from rsdesk.services.demo.partners import partners
from rsdesk.services.demo.people import existing_courses, people
from rsdesk.services.demo.pipe import Plan, run_in_child
from rsdesk.services.demo.responsibilities import responsibilities
from rsdesk.services.demo.screening import screening
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

#: The pipeline, in order. Each section may rely on every section before it.
SECTIONS: list[Section] = [
    departments,
    staff,
    people,  # onboarding checks, training courses and records (rsdesk/services/demo/people.py)
    partners,
    collaborations,
    appraisals,
    advice_requests,
    assets,  # sensitive assets, safeguards, access lists (rsdesk/services/demo/assets.py)
    screening,  # a fictitious screening list and the partners' results (demo/screening.py)
    responsibilities,  # the office's saved copy, naming the central contact
]

#: From this size a second process generates while this one writes: below it, starting the
#: process (about a second of imports) costs more than the overlap saves.
SEPARATE_PROCESS_MIN_SIZE = 10_000

#: Largest size accepted (a bigger demo is a mistake rather than a wish).
MAX_SIZE = 1_000_000


def generate(
    db: Database,
    size: int = 2000,
    seed: int = 1,
    *,
    anchor: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    separate_process: bool | None = None,
    exclusive_load: bool = False,
) -> dict[str, int]:
    """Fill the empty database ``db`` with a synthetic institution of ``size`` collaborations.

    Everything is written in one transaction: cancelling (``cancel``) or any failure leaves the
    database as it was. ``separate_process`` generates the rows in a second process while this one
    writes them (the same rows; by default for sizes from :data:`SEPARATE_PROCESS_MIN_SIZE`).
    ``exclusive_load`` says nobody needs to read the file while it loads (the command line): a
    SQLite file then loads with a rollback journal, about half of SQLite's work, during which
    other connections cannot read it (``rollback_journal_for_load``); the GUI leaves it off so
    that its views keep reading.
    Raises KnownError if the database already holds records or ``size`` is
    out of range.
    """
    if size < 0 or size > MAX_SIZE:
        raise KnownError(f"The demo size must be between 0 and {MAX_SIZE:,} collaborations.")
    anchor = anchor or dt.date.today()
    journal = rollback_journal_for_load(db.engine) if exclusive_load else nullcontext(False)
    with journal, db.unit_of_work() as session, ExitStack() as for_the_load:
        connection = session.connection()
        _refuse_non_empty(connection)
        deferred: list[str] = []
        if connection.dialect.name == "sqlite":
            for_the_load.enter_context(bulk_page_cache(connection, mib=64))
            deferred = drop_plain_indexes(connection)
        areas = connection.execute(
            select(TechnologyArea.code, TechnologyArea.most_sensitive).order_by(
                TechnologyArea.sort_order, TechnologyArea.code
            )
        ).all()
        plan = Plan(
            seed=seed,
            size=size,
            anchor=anchor,
            actor=db.actor,
            technology_areas=tuple(code for code, _ in areas),
            most_sensitive_areas=frozenset(code for code, sensitive in areas if sensitive),
            dual_use_codes=tuple(
                connection.execute(select(DualUseCategory.code).order_by(DualUseCategory.code))
                .scalars()
                .all()
            ),
            existing_setting_keys=frozenset(connection.execute(select(Setting.key)).scalars()),
            last_setting_id=connection.execute(select(func.max(Setting.id))).scalar() or 0,
            existing_courses=existing_courses(connection),
            encode_json=is_fast(connection),
        )
        writer = BatchWriter(connection, db.actor)
        if separate_process is None:
            # A frozen bundle's executable is rsdesk itself, not a Python that takes -c.
            frozen = getattr(sys, "frozen", False)
            separate_process = size >= SEPARATE_PROCESS_MIN_SIZE and not frozen
        if separate_process:
            counts = run_in_child(plan, writer, progress, cancel)
        else:
            counts = run_sections(plan.context(writer), progress, cancel)
        total = len(SECTIONS)
        if deferred:
            progress(total, total, "Indexing")
            for statement in deferred:
                connection.exec_driver_sql(statement)
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
        progress(total, total, "Saving")
    return counts


def run_sections(ctx: DemoContext, progress: Progress, cancel: CancelToken) -> dict[str, int]:
    """Runs :data:`SECTIONS` in order on ``ctx`` (in this process or the generating child)."""
    ctx.progress, ctx.cancel = progress, cancel
    counts: dict[str, int] = {}
    total = len(SECTIONS)
    for done, section in enumerate(SECTIONS):
        cancel.raise_if_cancelled()
        progress(done, total, f"Generating {section.__name__.replace('_', ' ')}")
        counts.update(section(ctx))
    return counts


def _refuse_non_empty(connection: object) -> None:
    from sqlalchemy import Connection

    assert isinstance(connection, Connection)
    for model, what in (
        (Collaboration, "collaborations"),
        (Partner, "partners"),
        (StaffMember, "staff members"),
        (Department, "departments"),
    ):
        if connection.execute(select(func.count()).select_from(model)).scalar_one():
            raise KnownError(
                f"The database already holds {what}; demo data goes into an empty database "
                "(use --db with a new file)."
            )


def _advance_sequences(connection: object) -> None:
    """Explicit ids leave PostgreSQL's id sequences behind; move them past the largest id."""
    from sqlalchemy import Connection, text

    from rsdesk.models import Base

    assert isinstance(connection, Connection)
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false) '
                "WHERE pg_get_serial_sequence(:table, 'id') IS NOT NULL"
            ),
            {"table": table.name},
        )


__all__ = [
    "SECTIONS",
    "CollaborationRow",
    "DemoContext",
    "DepartmentRow",
    "PartnerRow",
    "Section",
    "StaffRow",
    "generate",
]
