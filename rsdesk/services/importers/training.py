"""Importing training completions: who completed which course when.

A row names the person (staff number, else name) and the course (code, else name). A completion is
the same as one already recorded when person, course and date agree (or the ID column matches).
New completions are written through rsdesk.services.training.record_completions (bulk, audited,
expiry from the course's refresh period).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import StaffMember, TrainingCourse, TrainingRecord
from rsdesk.services.importers import plan as p
from rsdesk.services.importers.coerce import normalise
from rsdesk.services.importers.common import PERSON_FIELDS, PERSON_KEYS, Staff
from rsdesk.services.progress import CancelToken, Progress

FIELDS = (
    p.Field("id", "ID", "id", synonyms=("record id", "rsdesk id")),
    *PERSON_FIELDS,
    p.Field(
        "course",
        "Course",
        required=True,
        synonyms=("course code", "course name", "training", "module", "training course"),
    ),
    p.Field(
        "completed_on",
        "Completed",
        "date",
        required=True,
        synonyms=("completed on", "completion date", "date", "date completed", "passed on"),
    ),
    p.Field(
        "certificate_ref",
        "Certificate",
        max_length=200,
        synonyms=("certificate reference", "certificate number", "certificate ref"),
    ),
    p.Field("note", "Note", synonyms=("notes", "remarks", "comment")),
)


@dataclass
class Context:
    plan: p.ImportPlan
    staff: Staff
    anonymised: set[int]
    courses: dict[str, tuple[int, bool]]
    refresh: dict[int, int | None]
    existing: dict[tuple[int, int, dt.date], int]
    current: dict[int, dict[str, Any]]
    seen: dict[Any, int] = field(default_factory=dict)
    #: Course id -> name, for listing changes and suggesting a course a row probably means.
    course_names: dict[int, str] = field(default_factory=dict)
    #: Unknown course text -> the catalogue name it probably means (asked once per spelling).
    suggestions: dict[str, str | None] = field(default_factory=dict)

    def unknown_course(self, text: str) -> str:
        """The problem for a course not in the catalogue, with "did you mean ...?" if one is close."""
        if text not in self.suggestions:
            from rsdesk.services.importers.lookalikes import suggest

            archived = {id_ for id_, is_archived in self.courses.values() if is_archived}
            current = [name for id_, name in self.course_names.items() if id_ not in archived]
            self.suggestions[text] = suggest(text, current)
        meant = self.suggestions[text]
        reason = f"no course {text!r} in the catalogue"
        return reason + (f"; did you mean {meant!r}?" if meant else "")


class TrainingTarget:
    name = "training"
    title = "Training completions"
    fields = FIELDS
    matching = "the ID column, else the same person, course and completion date"

    def prepare(self, session: Session, plan: p.ImportPlan) -> Context:
        courses: dict[str, tuple[int, bool]] = {}
        course_names: dict[int, str] = {}
        refresh: dict[int, int | None] = {}
        for id_, code, name, archived, months in session.execute(
            select(
                TrainingCourse.id,
                TrainingCourse.code,
                TrainingCourse.name,
                TrainingCourse.archived,
                TrainingCourse.refresh_months,
            )
        ):
            courses[normalise(name)] = (id_, archived)
            courses[normalise(code)] = (id_, archived)
            course_names[id_] = name
            refresh[id_] = months
        existing = {}
        current = {}
        for id_, staff_id, course_id, completed, cert, note in session.execute(
            select(
                TrainingRecord.id,
                TrainingRecord.staff_id,
                TrainingRecord.course_id,
                TrainingRecord.completed_on,
                TrainingRecord.certificate_ref,
                TrainingRecord.note,
            )
        ):
            existing[(staff_id, course_id, completed)] = id_
            current[id_] = {
                "staff_id": staff_id,
                "course_id": course_id,
                "completed_on": completed,
                "certificate_ref": cert,
                "note": note,
            }
        anonymised = set(
            session.scalars(select(StaffMember.id).where(StaffMember.anonymised_at.is_not(None)))
        )
        return Context(
            plan,
            Staff(session),
            anonymised,
            courses,
            refresh,
            existing,
            current,
            course_names=course_names,
        )

    def plan_row(self, context: Context, row: p.RowPlan, mapped: set[str]) -> None:
        values = row.values

        def problem(key: str, reason: str) -> None:
            row.problems.append(p.Problem(row.row, p.column_of(context.plan, key), reason))

        if not mapped & set(PERSON_KEYS):
            problem("course", "the file has no column for the staff number, e-mail or name")
            return
        # The same identification as the onboarding import (Staff.identify).
        named = [(key, values[key]) for key in PERSON_KEYS if values.get(key)]
        staff_id: int | None = None
        if named:
            staff_id, column, reason = context.staff.identify(named)
        else:
            column, reason = "course", "no staff number, e-mail or name"
        who = named[0][1] if named else ""
        if reason:
            problem(column, reason)
        elif staff_id in context.anonymised:
            problem(column, "an anonymised former staff member")
        course_name = values.get("course")
        course = context.courses.get(normalise(course_name)) if course_name else None
        if course_name and course is None:
            problem("course", context.unknown_course(course_name))
        elif course is not None and course[1]:
            problem("course", f"the course {course_name!r} is no longer in the catalogue")
        completed = values.get("completed_on")
        if completed is not None and completed > dt.date.today():
            problem("completed_on", "the completion date is in the future")
        if row.problems or staff_id is None or course is None or completed is None:
            return
        record = {
            "staff_id": staff_id,
            "course_id": course[0],
            "completed_on": completed,
            "certificate_ref": values.get("certificate_ref"),
            "note": values.get("note"),
        }
        record_id = None
        if values.get("id") is not None and values["id"] in context.current:
            record_id = values["id"]
        else:
            record_id = context.existing.get((staff_id, course[0], completed))
        key = record_id or (staff_id, course[0], completed)
        if key in context.seen:
            problem("completed_on", f"same completion as row {context.seen[key]}")
            return
        context.seen[key] = row.row
        row.values = record
        row.key = f"{who} / {values['course']} / {completed.isoformat()}"
        if record_id is None:
            row.action = p.CREATE
            return
        row.record_id = record_id
        current = context.current[record_id]
        changes: dict[str, tuple[Any, Any]] = {
            name: (current[name], record[name])
            for name in ("staff_id", "course_id", "completed_on", "certificate_ref", "note")
            if (name in ("staff_id", "course_id", "completed_on") or name in mapped)
            and record[name] != current[name]
        }
        # Shown by name: the write only reads which fields changed.
        names = {"staff_id": context.staff.name_of, "course_id": context.course_names}
        for changed, lookup in names.items():
            if changed in changes:
                old, new = changes[changed]
                changes[changed] = (lookup.get(old, old), lookup.get(new, new))
        if not changes:
            row.action = p.UNCHANGED
        elif context.plan.on_duplicate == "skip":
            row.action, row.note = p.SKIP, "already recorded"
        else:
            row.action, row.changes = p.UPDATE, changes

    def write(
        self,
        session: Session,
        context: Context,
        rows: list[p.RowPlan],
        progress: Progress,
        cancel: CancelToken,
    ) -> None:
        from rsdesk.services import training

        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for row in rows:
            if row.action == p.CREATE:
                v = row.values
                key = (v["course_id"], v["completed_on"], v["certificate_ref"], v["note"])
                groups[key].append(v["staff_id"])
        done = 0
        for (course_id, completed, cert, note), staff_ids in groups.items():
            cancel.raise_if_cancelled()
            training.record_completions(session, staff_ids, course_id, completed, cert, note)
            done += len(staff_ids)
            progress(done, len(rows), "recording completions")
        for row in rows:
            if row.action != p.UPDATE:
                continue
            record = session.get(TrainingRecord, row.record_id)
            assert record is not None
            for name in row.changes:
                setattr(record, name, row.values[name])
            record.expires_on = training.expiry(
                record.completed_on, context.refresh[record.course_id]
            )
        session.flush()


TARGET = TrainingTarget()
