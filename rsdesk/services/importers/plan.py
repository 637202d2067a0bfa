"""The import plan: what a file would create, update and skip, and every problem, before any write.

``build_plan`` reads nothing but the database and the file. ``apply_plan`` writes in the caller's
unit of work: a plan with any rejected row writes nothing unless the caller asks to skip bad
rows, and a cancel (or any error) raises, so that the unit of work rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.db.page_cache import bulk_page_cache
from rsdesk.models import Setting
from rsdesk.services.errors import KnownError
from rsdesk.services.importers import coerce
from rsdesk.services.importers.files import SourceTable
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

CREATE, UPDATE, UNCHANGED, SKIP, REJECT = "create", "update", "unchanged", "skip", "reject"
ON_DUPLICATE = ("skip", "update")
MAPPING_SETTING = "import.mapping"
#: Labels of what an update changes that is not itself a field of the file.
CHANGE_LABELS = {
    "technology_area_code": "Critical technology",
    "staff_id": "Person",
    "course_id": "Course",
    "lead": "Lead",
}


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    #: text, date, int, money, bool, choice, list
    kind: str = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    #: Extra spellings of choices: normalised text -> value.
    choice_synonyms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


@dataclass
class RowPlan:
    row: int
    action: str
    key: str
    values: dict[str, Any]
    record_id: int | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Change:
    """One field a planned update changes, old -> new, for the user to see before writing."""

    row: int
    #: The record as the plan names it (staff number, reference, name...).
    key: str
    field: str
    label: str
    old: Any
    new: Any

    @property
    def only_spelling(self) -> bool:
        """Whether only case, accents or punctuation differ ("Łukasz Żółć" -> "Lukasz Zolc")."""
        return (
            isinstance(self.old, str)
            and isinstance(self.new, str)
            and coerce.normalise(self.old) == coerce.normalise(self.new)
        )

    def __str__(self) -> str:
        text = f"row {self.row} ({self.key}): {self.label}: {shown(self.old)} → {shown(self.new)}"
        return text + (" (only case, accents or punctuation differ)" if self.only_spelling else "")

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class SkippedRow:
    """A row left alone because its record is already there (``on_duplicate="skip"``): the
    count alone ("1 already there") left the user searching the file for it."""

    row: int
    #: The record as the plan names it (staff number, reference, person / check...).
    key: str
    #: Why, e.g. "already done on 2025-03-01; choose to update it from the file to replace that".
    reason: str

    def __str__(self) -> str:
        return f"row {self.row} ({self.key})" + (f": {self.reason}" if self.reason else "")


def shown(value: Any) -> str:
    """A value as a change lists it: text quoted, dates as ISO, nothing as "(empty)"."""
    if value is None or value == "" or value == ():
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple | list):
        return repr("; ".join(str(v) for v in value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class Target(Protocol):
    name: str
    title: str
    fields: tuple[Field, ...]
    #: How duplicates are recognised, in words, for the preview.
    matching: str

    def prepare(self, session: Session, plan: ImportPlan) -> Any: ...

    def plan_row(self, context: Any, row: RowPlan, mapped: set[str]) -> None: ...

    def write(
        self,
        session: Session,
        context: Any,
        rows: list[RowPlan],
        progress: Progress,
        cancel: CancelToken,
    ) -> None: ...


@dataclass
class ImportPlan:
    target: str
    title: str
    source: SourceTable
    #: column index -> field key
    mapping: dict[int, str]
    on_duplicate: str
    rows: list[RowPlan] = field(default_factory=list)
    #: Problems with the file as a whole (a required column missing).
    file_problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Things worth a look that block nothing (partner names that may be one organisation).
    warnings: list[str] = field(default_factory=list)
    context: Any = None
    #: Field key -> label, for listing changes.
    labels: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(row.action for row in self.rows)

    @property
    def problems(self) -> list[Problem]:
        return self.file_problems + [p for row in self.rows for p in row.problems]

    def changes(self) -> Iterator[Change]:
        """Each field of each planned update, old -> new, in row order (only changed fields
        are kept in a plan, so this stays small next to the rows)."""
        for row in self.rows:
            if row.action != UPDATE:
                continue
            for key, (old, new) in row.changes.items():
                yield Change(row.row, row.key, key, self.labels.get(key, key), old, new)

    def row_notes(self, *, skipped: bool = True) -> Iterator[str]:
        """What the plan says about single rows that are not problems ("completed 2025-10-27;
        renewal due since 2026-10-27, left open"), in row order; ``skipped=False`` leaves out
        the rows left alone as duplicates, for a caller that lists ``skipped_rows()`` itself."""
        for row in self.rows:
            if row.note and row.action != REJECT and (skipped or row.action != SKIP):
                yield f"row {row.row} ({row.key}): {row.note}"

    @property
    def rejected(self) -> int:
        return sum(1 for row in self.rows if row.action == REJECT)

    def skipped_rows(self) -> list[SkippedRow]:
        """The rows left alone as duplicates, in row order."""
        return [SkippedRow(row.row, row.key, row.note) for row in self.rows if row.action == SKIP]

    def column_name(self, index: int) -> str:
        header = self.source.headers[index]
        return f"{self.source.column_letter(index)} ({header})"

    def summary(self) -> str:
        counts = self.counts()
        parts = [
            f"{counts[CREATE]} to create",
            f"{counts[UPDATE]} to update",
            f"{counts[UNCHANGED]} unchanged",
            f"{counts[SKIP]} skipped as duplicates",
            f"{counts[REJECT]} rejected",
        ]
        return f"{self.title}: {len(self.rows)} rows: " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """For ``--dry-run`` JSON output and tests."""
        counts = self.counts()
        return {
            "target": self.target,
            "file": str(self.source.path),
            "sheet": self.source.sheet,
            "rows": len(self.rows),
            "create": counts[CREATE],
            "update": counts[UPDATE],
            "unchanged": counts[UNCHANGED],
            "skip": counts[SKIP],
            "reject": counts[REJECT],
            "mapping": {self.source.headers[i]: key for i, key in sorted(self.mapping.items())},
            "unmapped": [
                h for i, h in enumerate(self.source.headers) if i not in self.mapping and h
            ],
            "notes": self.source.notes + self.notes,
            "row_notes": [
                {"row": row.row, "key": row.key, "action": row.action, "note": row.note}
                for row in self.rows
                if row.note and row.action != REJECT
            ],
            "warnings": self.warnings,
            "problems": [
                {"row": p.row, "column": p.column, "reason": p.reason} for p in self.problems
            ],
            "updates": [
                {
                    "row": row.row,
                    "key": row.key,
                    "changes": {
                        key: {"old": old, "new": new} for key, (old, new) in row.changes.items()
                    },
                }
                for row in self.rows
                if row.action == UPDATE
            ],
        }


# --- mapping --------------------------------------------------------------------------------


def _aliases(target: Target) -> dict[str, str]:
    """Normalised header spelling -> field key, from labels, keys, synonyms and the register."""
    aliases: dict[str, str] = {}
    try:
        from rsdesk.services import registers

        spec = registers.get(target.name)
        keys = {f.key for f in target.fields}
        for column in spec.columns:
            if column.key in keys:
                aliases.setdefault(coerce.normalise(column.label), column.key)
    except KeyError:
        pass
    for item in target.fields:
        for spelling in (item.key, item.label, *item.synonyms):
            aliases[coerce.normalise(spelling)] = item.key
    return aliases


def auto_map(target: Target, headers: list[str]) -> dict[int, str]:
    aliases = _aliases(target)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = aliases.get(coerce.normalise(header)) if header else None
        if key and key not in taken:
            mapping[index] = key
            taken.add(key)
    return mapping


def source_signature(target: str, headers: list[str]) -> str:
    normalised = json.dumps([coerce.normalise(h) for h in headers])
    return f"{target}:" + hashlib.sha256(normalised.encode()).hexdigest()[:16]


def remembered_mapping(session: Session, target: str, headers: list[str]) -> dict[int, str] | None:
    """The mapping used last time for a file with the same headers, if any."""
    stored = session.scalar(select(Setting.value).where(Setting.key == MAPPING_SETTING))
    if not isinstance(stored, dict):
        return None
    found = stored.get(source_signature(target, headers))
    if not isinstance(found, dict):
        return None
    return {int(index): key for index, key in found.items() if key}


def remembered_mappings(
    session: Session, names: list[str], headers: list[str]
) -> dict[str, dict[int, str]]:
    """The remembered mapping of each target in ``names`` that has one for these headers (one
    read of the setting), so that the dialog can switch targets without asking again."""
    stored = session.scalar(select(Setting.value).where(Setting.key == MAPPING_SETTING))
    if not isinstance(stored, dict):
        return {}
    found: dict[str, dict[int, str]] = {}
    for name in names:
        mapping = stored.get(source_signature(name, headers))
        if isinstance(mapping, dict):
            valid = {
                int(index): key
                for index, key in mapping.items()
                if key and str(index).isdigit() and int(index) < len(headers)
            }
            if valid:
                found[name] = valid
    return found


def remember_mapping(session: Session, plan: ImportPlan) -> None:
    setting = session.scalar(select(Setting).where(Setting.key == MAPPING_SETTING))
    signature = source_signature(plan.target, plan.source.headers)
    value = {str(index): key for index, key in sorted(plan.mapping.items())}
    if setting is None:
        session.add(Setting(key=MAPPING_SETTING, value={signature: value}))
    elif setting.value.get(signature) != value:
        setting.value = {**setting.value, signature: value}
    session.flush()


def validate_mapping(target: Target, headers: list[str], mapping: dict[int, str]) -> None:
    keys = {f.key for f in target.fields}
    seen: dict[str, int] = {}
    for index, key in mapping.items():
        if not 0 <= index < len(headers):
            raise KnownError(f"The mapping names column {index + 1}, which the file does not have")
        if key not in keys:
            raise KnownError(f"{key!r} is not a field of {target.title.lower()}")
        if key in seen:
            raise KnownError(
                f"Two columns ({headers[seen[key]]!r} and {headers[index]!r}) are mapped to the "
                f"same field {key!r}"
            )
        seen[key] = index


# --- planning -------------------------------------------------------------------------------


#: Whole floats up to this size convert to int exactly as their decimal text would.
_EXACT_FLOAT = 2**53
_MISSING = object()


def _as_date(value: Any) -> Any:
    """``coerce.date``, a date cell (the usual case) taken as it is when not before 1900."""
    cls = value.__class__
    if cls is dt.date and value >= coerce.EARLIEST_DATE:
        return value
    if cls is str and not value:
        return None
    return coerce.date(value)


def converter(item: Field) -> Any:
    """The function turning a cell into the field's value (built once per column, not per cell)."""
    if item.kind == "date":
        return _as_date
    if item.kind in ("int", "money", "id"):
        minimum = None if item.kind == "int" else 0
        from rsdesk.services.collaborations import MAX_FUNDING_EUR

        # An amount must fit the column on PostgreSQL too (as the editor's check says).
        maximum = MAX_FUNDING_EUR if item.kind == "money" else None
        low = max(-_EXACT_FLOAT, minimum if minimum is not None else -_EXACT_FLOAT)
        high = min(_EXACT_FLOAT, maximum if maximum is not None else _EXACT_FLOAT)

        def as_whole_number(value: Any) -> int | None:
            # A workbook's numbers come as floats: a whole one in range is that int (what the
            # decimal parse gives it, below 2**53), without the parse; the rest are parsed.
            cls = value.__class__
            if cls is float and value.is_integer() and low <= value <= high:
                return int(value)
            if cls is int and low <= value <= high:
                return value
            if cls is str and not value:
                return None
            return coerce.whole_number(value, minimum=minimum, maximum=maximum)

        return as_whole_number
    if item.kind == "bool":
        return coerce.boolean
    if item.kind == "choice":
        known: dict[str, str | None] = {}

        def as_choice(value: Any) -> str | None:
            # A column of choices repeats a few spellings: each is looked up once per file.
            if value.__class__ is str:
                found = known.get(value, _MISSING)
                if found is _MISSING:
                    found = known[value] = coerce.choice(value, item.choices, item.choice_synonyms)
                return found  # type: ignore[return-value]
            return coerce.choice(value, item.choices, item.choice_synonyms)

        return as_choice
    if item.kind == "list":

        def as_list(value: Any) -> tuple[str, ...]:
            text = coerce.text(value)
            if text is None:
                return ()
            return tuple(dict.fromkeys(part.strip() for part in text.split(";") if part.strip()))

        return as_list
    limit = item.max_length

    def as_text(value: Any) -> str | None:
        if type(value) is str:
            if not value.isprintable():
                value = coerce.without_controls(value)
            value = value.strip()
            if not value:
                return None
            if limit is not None and len(value) > limit:
                raise coerce.Invalid(f"longer than {limit} characters ({len(value)})")
            return value
        return coerce.text(value, limit)

    return as_text


def build_plan(
    session: Session,
    source: SourceTable,
    target: Target,
    mapping: dict[int, str] | None = None,
    on_duplicate: str = "skip",
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportPlan:
    if on_duplicate not in ON_DUPLICATE:
        raise KnownError(f"on duplicate must be one of {', '.join(ON_DUPLICATE)}")
    headers = source.headers
    normalised: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = coerce.normalise(header)
        if key and key in normalised:
            first = normalised[key]
            raise KnownError(
                f"Columns {source.column_letter(first)} and {source.column_letter(index)} have "
                f"the same header {header!r}; rename one"
            )
        normalised[key] = index
    if mapping is None:
        mapping = remembered_mapping(session, target.name, headers)
        remembered = mapping is not None
        mapping = mapping if mapping is not None else auto_map(target, headers)
    else:
        remembered = False
    validate_mapping(target, headers, mapping)
    plan = ImportPlan(target.name, target.title, source, dict(mapping), on_duplicate)
    plan.labels = {**CHANGE_LABELS, **{f.key: f.label for f in target.fields}}
    if remembered:
        plan.notes.append("column mapping remembered from an earlier import of such a file")
    fields_by_key = {f.key: f for f in target.fields}
    mapped = set(mapping.values())
    for item in target.fields:
        if item.required and item.key not in mapped:
            plan.file_problems.append(
                Problem(None, None, f"no column for {item.label} (required); map one")
            )
    unmapped = [h for i, h in enumerate(headers) if i not in mapping and h]
    if unmapped:
        plan.notes.append("columns not imported: " + ", ".join(unmapped))
    if plan.file_problems:
        return plan
    plan.context = target.prepare(session, plan)
    columns = [
        (index, key, converter(fields_by_key[key]), fields_by_key[key].required)
        for index, key in sorted(mapping.items())
    ]
    total = len(source.rows)
    for done, (number, cells) in enumerate(source.rows, 1):
        row = RowPlan(number, CREATE, "", {})
        values = row.values
        for index, key, convert, required in columns:
            try:
                value = values[key] = convert(cells[index])
            except coerce.Invalid as exc:
                row.problems.append(Problem(number, plan.column_name(index), str(exc)))
                continue
            if required and (value is None or value == ()):
                row.problems.append(Problem(number, plan.column_name(index), "required, empty"))
        # Checked by the target even when a cell would not convert, so that every problem of
        # the row is listed at once (a bad amount hid an ambiguous lead); a target only decides
        # create or update for a row without problems, and reads a value that failed as absent.
        target.plan_row(plan.context, row, mapped)
        if row.problems:
            row.action = REJECT
        plan.rows.append(row)
        if done % 2000 == 0:
            cancel.raise_if_cancelled()
            progress(done, total, "checking rows")
    progress(total, total, "checked")
    return plan


def column_of(plan: ImportPlan, key: str) -> str | None:
    """The file's column for a field, for problem messages."""
    for index, mapped in plan.mapping.items():
        if mapped == key:
            return plan.column_name(index)
    return None


@dataclass(frozen=True)
class ImportResult:
    target: str
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    #: Which rows were skipped as duplicates, and why.
    skipped_rows: tuple[SkippedRow, ...] = ()

    def describe(self) -> str:
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} duplicates skipped"
        )
        if self.rejected:
            text += f", {self.rejected} bad rows skipped"
        return text


def refuse_unless_writable(plan: ImportPlan, skip_bad_rows: bool) -> None:
    """Raises the refusal of a plan that must not be written (a file problem, or bad rows
    without ``skip_bad_rows``), before anything is written."""
    if plan.file_problems:
        raise KnownError(f"Nothing was imported: {plan.file_problems[0]}")
    if plan.rejected and not skip_bad_rows:
        first = next(p for p in plan.problems)
        raise KnownError(
            f"Nothing was imported: {plan.rejected} of {len(plan.rows)} rows have problems "
            f"(first: {first}); fix them, or choose to skip bad rows"
        )


def apply_plan(
    session: Session,
    plan: ImportPlan,
    target: Target,
    *,
    skip_bad_rows: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Writes the plan in the caller's transaction (all or nothing)."""
    refuse_unless_writable(plan, skip_bad_rows)
    todo = [row for row in plan.rows if row.action in (CREATE, UPDATE)]
    if todo:
        with bulk_page_cache(session.connection()):
            target.write(session, plan.context, todo, progress, cancel)
    cancel.raise_if_cancelled()
    remember_mapping(session, plan)
    counts = plan.counts()
    return ImportResult(
        plan.target,
        counts[CREATE],
        counts[UPDATE],
        counts[UNCHANGED],
        counts[SKIP],
        counts[REJECT],
        tuple(plan.skipped_rows()),
    )
