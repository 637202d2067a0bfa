"""Which draft appraisals await a decision, as one SQL condition for the dashboard and register.

Earlier releases created a draft as soon as the wizard was opened, so databases hold drafts that
nobody worked on: answers and justifications equal to those of the version they were copied
from (none for a first version), apart from the answers the register fills in
(:data:`PREFILLED_QUESTIONS`). They are not counted as awaiting a decision; ``rsdesk appraisal
discard ID`` or the wizard's "Discard draft…" removes them.

The condition compares the drafts' JSON answers key by key with the version before, which
SQLite and PostgreSQL spell differently (``json_each`` / ``json_each_text``), hence the small
compiled construct below.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, and_, not_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from rsdesk.models import Appraisal
from rsdesk.models.enums import AnsweredBy, AppraisalStatus

#: The questions the register can answer (rsdesk/services/appraisal/workflow.py, prefill_answers).
PREFILLED_QUESTIONS = frozenset(
    {
        "research_critical_technology",
        "research_dual_use",
        "form_kind",
        "form_funding",
        "partner_kind",
        "partner_listed",
        "form_access",
    }
)


class _SameAsPrevious(ColumnElement[bool]):
    """True when the JSON object ``column`` ("answers" or "justifications") of an appraisal has
    the same entries as the version it was copied from (none for a first version), leaving out
    ``except_keys``. Used on the unaliased ``appraisal`` table."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, column: str, except_keys: frozenset[str] = frozenset()) -> None:
        self.column = column
        self.except_keys = tuple(sorted(except_keys))


def _outside(alias: str, keys: tuple[str, ...]) -> str:
    # Our own identifiers ([a-z_]), never user input; quoted as SQL string literals.
    if not keys:
        return "TRUE"
    listed = ", ".join("'" + key.replace("'", "''") + "'" for key in keys)
    return f"{alias}.key NOT IN ({listed})"


def _previous(column: str) -> str:
    return (
        f"COALESCE((SELECT earlier.{column} FROM appraisal AS earlier "
        f"WHERE earlier.id = appraisal.previous_appraisal_id), '{{}}')"
    )


@compiles(_SameAsPrevious, "sqlite")
def _same_sqlite(element: _SameAsPrevious, compiler: Any, **kw: Any) -> str:
    current, previous = f"appraisal.{element.column}", _previous(element.column)
    keys = element.except_keys
    return (
        f"(NOT EXISTS (SELECT 1 FROM json_each({current}) AS now_ "
        f"WHERE {_outside('now_', keys)} AND "
        f"json_extract({previous}, '$.\"' || now_.key || '\"') IS NOT now_.value) "
        f"AND NOT EXISTS (SELECT 1 FROM json_each({previous}) AS was "
        f"WHERE {_outside('was', keys)} AND "
        f"json_extract({current}, '$.\"' || was.key || '\"') IS NULL))"
    )


@compiles(_SameAsPrevious, "postgresql")
def _same_postgresql(element: _SameAsPrevious, compiler: Any, **kw: Any) -> str:
    current = f"CAST(appraisal.{element.column} AS json)"
    previous = f"CAST({_previous(element.column)} AS json)"
    keys = element.except_keys
    return (
        f"(NOT EXISTS (SELECT 1 FROM json_each_text({current}) AS now_ "
        f"WHERE {_outside('now_', keys)} AND "
        f"({previous} ->> now_.key) IS DISTINCT FROM now_.value) "
        f"AND NOT EXISTS (SELECT 1 FROM json_each_text({previous}) AS was "
        f"WHERE {_outside('was', keys)} AND ({current} ->> was.key) IS NULL))"
    )


def untouched_draft() -> ColumnElement[bool]:
    """A draft holding nothing a person entered (see the module's docstring)."""
    return and_(
        Appraisal.status == AppraisalStatus.DRAFT,
        Appraisal.answered_by == AnsweredBy.OFFICER,
        _SameAsPrevious("answers", PREFILLED_QUESTIONS),
        _SameAsPrevious("justifications"),
    )


def awaiting_decision() -> ColumnElement[bool]:
    """Drafts someone worked on: what "Appraisals awaiting a decision" counts and lists."""
    return and_(Appraisal.status == AppraisalStatus.DRAFT, not_(untouched_draft()))
