"""An import planned in a read transaction and written in a second one (the command line, and
the import dialog, whose preview is that plan).

Planning first, with nothing locked, lets a refused plan (a file problem, bad rows) end the
import before any write transaction is opened, so a large file can then be written with a
rollback journal (``rollback_journal_for_load``: SQLite writes the new pages once instead of to
the write-ahead log and again at its checkpoint, 0.8 s of a 100,000-row import) while a refused
one leaves the database file byte for byte as it was. The switch of journal changes SQLite's
change counter in the file header, so it must only happen for a plan that will be written.

The write transaction first compares the audit chain's head with the one the plan saw: every
write through rsdesk moves it. If it moved, the plan is made again inside the write transaction
from the same rows, mapping and duplicate rule, exactly as a single-transaction import does.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rsdesk.db import Database
from rsdesk.db.auditlog import chain_position
from rsdesk.db.engine import rollback_journal_for_load
from rsdesk.services.collector import collector_paused
from rsdesk.services.importers import plan as _plan
from rsdesk.services.importers.files import SourceTable
from rsdesk.services.importers.plan import ImportPlan, ImportResult
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress


@dataclass(frozen=True)
class PlannedImport:
    plan: ImportPlan
    #: The audit chain's head when the plan was made (None: no entry yet).
    head: tuple[int, str] | None


def plan_import(
    db: Database,
    source: SourceTable,
    name: str,
    mapping: dict[int, str] | None = None,
    on_duplicate: str = "skip",
) -> PlannedImport:
    """The plan, made in a read transaction: nothing locked, nothing written."""
    with db.read() as session:
        return plan_in(session, source, name, mapping, on_duplicate)


def plan_in(
    session: Session,
    source: SourceTable,
    name: str,
    mapping: dict[int, str] | None = None,
    on_duplicate: str = "skip",
) -> PlannedImport:
    """:func:`plan_import` in the caller's read session (the import dialog's preview)."""
    from rsdesk.services import importers

    with collector_paused():
        plan = importers.build_plan(session, source, name, mapping, on_duplicate)
        return PlannedImport(plan, chain_position(session.connection()))


def matches(
    planned: PlannedImport | None,
    source: SourceTable,
    name: str,
    mapping: dict[int, str],
    on_duplicate: str,
) -> bool:
    """Whether ``planned`` was made from this file with these choices (a preview still
    standing for what the user is about to import)."""
    if planned is None:
        return False
    plan = planned.plan
    return (
        plan.source is source
        and plan.target == name
        and plan.mapping == mapping
        and plan.on_duplicate == on_duplicate
    )


def write_planned(
    db: Database,
    planned: PlannedImport,
    *,
    skip_bad_rows: bool = False,
    exclusive: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Writes a plan from :func:`plan_import` in one transaction (all or nothing).

    A refused plan raises ``KnownError`` before a transaction is opened. ``exclusive`` (the
    command line) writes a large file (``importers.is_bulk``) with a rollback journal when
    nobody else has the database open; other programs opening it meanwhile wait until the
    import ends. With the file open elsewhere the import simply runs with the write-ahead log.
    """
    from rsdesk.services import importers

    plan = planned.plan
    _plan.refuse_unless_writable(plan, skip_bad_rows)
    bulk = importers.is_bulk(plan.source)
    journal = rollback_journal_for_load(db.engine) if bulk and exclusive else nullcontext(False)
    with collector_paused(), journal, db.unit_of_work(bulk=bulk) as session:
        if chain_position(session.connection(), lock=True) != planned.head:
            # Written to since the plan was made: planned again on what is there now.
            plan = importers.build_plan(
                session, plan.source, plan.target, plan.mapping, plan.on_duplicate
            )
        return importers.apply_plan(
            session, plan, skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel
        )
