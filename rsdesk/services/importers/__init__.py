"""Importing registers from .xlsx and .csv files, safely: preview first, then all or nothing.

In one transaction (tests, services)::

    source = importers.read_file(path, "xlsx", target="collaborations")
    with db.unit_of_work(bulk=importers.is_bulk(source)) as session:   # db.read(): dry run
        plan = importers.build_plan(session, source, "collaborations", on_duplicate="update")
        result = importers.apply_plan(session, plan, skip_bad_rows=False)   # raises: rolls back

The command line and the import dialog plan in a read transaction and write in a second one
(``staged``)::

    planned = importers.plan_import(db, source, "collaborations")   # planned.plan: the preview
    result = importers.write_planned(db, planned, exclusive=True)   # planned again if need be

Targets: collaborations, partners, staff, training (completions), onboarding (check status).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.services.collector import collector_paused
from rsdesk.services.errors import KnownError
from rsdesk.services.importers import files
from rsdesk.services.importers import plan as _plan
from rsdesk.services.importers.files import SourceTable
from rsdesk.services.importers.plan import (
    ImportPlan,
    ImportResult,
    Problem,
    RowPlan,
    Target,
    auto_map,
)
from rsdesk.services.importers.staged import (
    PlannedImport,
    matches,
    plan_import,
    plan_in,
    write_planned,
)
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

TARGET_MODULES = {
    "collaborations": "rsdesk.services.importers.collaborations",
    "partners": "rsdesk.services.importers.partners",
    "staff": "rsdesk.services.importers.staff",
    "training": "rsdesk.services.importers.training",
    "onboarding": "rsdesk.services.importers.onboarding",
}
MAX_MB_SETTING = "import.max_file_mb"


def target(name: str) -> Target:
    try:
        module = TARGET_MODULES[name]
    except KeyError:
        raise KnownError(
            f"Cannot import {name!r}; importable: {', '.join(TARGET_MODULES)}"
        ) from None
    found: Target = import_module(module).TARGET
    return found


def names() -> list[str]:
    return list(TARGET_MODULES)


def max_file_mb(session: Session | None) -> float:
    """The configured size limit (setting ``import.max_file_mb``), default 50 MB."""
    if session is not None:
        from rsdesk.models import Setting

        value = session.scalar(select(Setting.value).where(Setting.key == MAX_MB_SETTING))
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return float(files.DEFAULT_MAX_MB)


def sheet_names_for(name: str | None) -> tuple[str, ...]:
    """Sheet names (lower case) a workbook holding ``name`` would use, e.g. in an audit workbook."""
    if name is None:
        return ()
    spellings = {name.lower(), target(name).title.lower()}
    try:
        from rsdesk.services import registers

        spellings.add(registers.get(name).title.lower())
    except KeyError:
        pass
    return tuple(spellings)


def read_file(
    path: Path | str,
    format: str | None = None,
    *,
    target: str | None = None,
    sheet: str | None = None,
    max_mb: float = files.DEFAULT_MAX_MB,
) -> SourceTable:
    with collector_paused():
        return files.read(
            Path(path), format, sheet, max_mb=max_mb, prefer_sheets=sheet_names_for(target)
        )


#: Files of at least this many rows are written in a bulk unit of work: foreign keys checked
#: once before the commit instead of row by row (``Database.unit_of_work(bulk=True)``).
BULK_ROWS = 5_000


def is_bulk(source: SourceTable) -> bool:
    return len(source.rows) >= BULK_ROWS


def guess_target(source: SourceTable) -> str:
    """The target whose fields the headers match best (for ``--what`` left out)."""
    if source.sheet:
        for name in names():
            if source.sheet.lower() in sheet_names_for(name):
                return name
    scores = {name: len(auto_map(target(name), source.headers)) for name in names()}
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        raise KnownError(
            "Cannot tell what the file holds from its headers; say which with --what "
            f"({', '.join(names())})"
        )
    return ranked[0][0]


def remembered_mappings(session: Session, headers: list[str]) -> dict[str, dict[int, str]]:
    """Target -> the column mapping last used for a file with these headers (setting
    ``import.mapping``), for every target that has one."""
    return _plan.remembered_mappings(session, names(), headers)


def build_plan(
    session: Session,
    source: SourceTable,
    name: str,
    mapping: dict[int, str] | None = None,
    on_duplicate: str = "skip",
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportPlan:
    found = target(name)
    with collector_paused():
        plan = _plan.build_plan(session, source, found, mapping, on_duplicate, progress, cancel)
    notes = getattr(found, "notes", None)
    if notes is not None and plan.context is not None:
        plan.notes.extend(notes(plan.context))
    warnings = getattr(found, "warnings", None)
    if warnings is not None and plan.context is not None:
        plan.warnings.extend(warnings(plan.context))
    return plan


def apply_plan(
    session: Session,
    plan: ImportPlan,
    *,
    skip_bad_rows: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    with collector_paused():
        return _plan.apply_plan(
            session,
            plan,
            target(plan.target),
            skip_bad_rows=skip_bad_rows,
            progress=progress,
            cancel=cancel,
        )


def run_import(
    session: Session,
    path: Path | str,
    format: str | None,
    name: str | None,
    *,
    mapping: dict[int, str] | None = None,
    on_duplicate: str = "skip",
    skip_bad_rows: bool = False,
    dry_run: bool = False,
    sheet: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[ImportPlan, ImportResult | None]:
    """Reads, plans and (unless ``dry_run``) applies, in the caller's session."""
    with collector_paused():  # once for all three steps (see rsdesk.services.collector)
        source = read_file(path, format, target=name, sheet=sheet, max_mb=max_file_mb(session))
        name = name or guess_target(source)
        plan = build_plan(session, source, name, mapping, on_duplicate, progress, cancel)
        if dry_run:
            return plan, None
        result = apply_plan(
            session, plan, skip_bad_rows=skip_bad_rows, progress=progress, cancel=cancel
        )
    return plan, result


__all__ = [
    "ImportPlan",
    "ImportResult",
    "PlannedImport",
    "Problem",
    "RowPlan",
    "SourceTable",
    "apply_plan",
    "build_plan",
    "guess_target",
    "is_bulk",
    "matches",
    "names",
    "plan_import",
    "plan_in",
    "read_file",
    "remembered_mappings",
    "run_import",
    "target",
    "write_planned",
]
