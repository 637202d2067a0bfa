"""Importing staff: matched on the ID column, else on the staff number.

Writes go through rsdesk.services.staff, so that every person imported gets the onboarding
checklist that a person added by hand gets (and a changed role adds the checks that now apply).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import DualUseCategory, StaffMember, TechnologyArea
from rsdesk.models.enums import RoleCategory
from rsdesk.services.errors import ValidationError
from rsdesk.services.importers import plan as p
from rsdesk.services.importers.coerce import normalise
from rsdesk.services.importers.common import Departments
from rsdesk.services.progress import CancelToken, Progress

FIELDS = (
    p.Field("id", "ID", "id", synonyms=("record id", "rsdesk id")),
    p.Field(
        "staff_number",
        "Staff no.",
        required=True,
        max_length=40,
        synonyms=(
            "staff number",
            "employee number",
            "employee id",
            "personnel number",
            "staff id",
            "number",
        ),
    ),
    p.Field(
        "full_name",
        "Name",
        required=True,
        max_length=200,
        synonyms=("full name", "employee", "person", "staff member", "employee name"),
    ),
    p.Field("email", "E-mail", max_length=254, synonyms=("email address", "mail")),
    p.Field("department", "Department", synonyms=("dept", "faculty", "school", "unit")),
    p.Field(
        "role_category",
        "Role",
        "choice",
        choices=tuple(r.value for r in RoleCategory),
        synonyms=("role category", "position", "job category", "function"),
        choice_synonyms={
            "phd": "phd_candidate",
            "phdstudent": "phd_candidate",
            "doctoralcandidate": "phd_candidate",
            "postdoctoralresearcher": "postdoc",
            "prof": "professor",
            "visitor": "visiting_researcher",
            "admin": "administrative",
        },
    ),
    p.Field("research_area", "Research area", max_length=200, synonyms=("research field",)),
    p.Field(
        "technology_area",
        "Critical technology",
        synonyms=("technology area", "critical technology area", "technology area code"),
    ),
    p.Field("dual_use_code", "Dual-use", max_length=8, synonyms=("dual use", "dual use code")),
    p.Field(
        "sensitive_facility_access",
        "Sensitive facility access",
        "bool",
        synonyms=("facility access", "sensitive facilities", "lab access"),
    ),
    p.Field("start_date", "Start", "date", synonyms=("start date", "joined", "entry date")),
    p.Field("end_date", "End", "date", synonyms=("end date", "left", "leaving date")),
)
SCALARS = (
    "staff_number",
    "full_name",
    "email",
    "role_category",
    "research_area",
    "technology_area_code",
    "dual_use_code",
    "sensitive_facility_access",
    "start_date",
    "end_date",
)


@dataclass
class Context:
    plan: p.ImportPlan
    departments: Departments
    by_number: dict[str, int]
    current: dict[int, dict[str, Any]]
    areas: dict[str, str]
    dual_use: set[str]
    seen: dict[Any, int] = field(default_factory=dict)
    #: Stored e-mails, lower-cased, and whose they are (an address may be shared by people
    #: saved before addresses were compared); and the row of each e-mail in the file.
    by_email: dict[str, set[int]] = field(default_factory=dict)
    seen_emails: dict[str, tuple[int, Any]] = field(default_factory=dict)


class StaffTarget:
    name = "staff"
    title = "Staff"
    fields = FIELDS
    matching = "the ID column, else the staff number"

    def prepare(self, session: Session, plan: p.ImportPlan) -> Context:
        current = {}
        by_number = {}
        for row in session.execute(
            select(
                StaffMember.id,
                StaffMember.department_id,
                StaffMember.anonymised_at,
                *(getattr(StaffMember, n) for n in SCALARS),
            )
        ):
            values = dict(zip(SCALARS, row[3:]))
            values["role_category"] = getattr(
                values["role_category"], "value", values["role_category"]
            )
            values["department_id"] = row[1]
            values["anonymised"] = row[2] is not None
            current[row[0]] = values
            by_number[values["staff_number"].strip().lower()] = row[0]
        areas: dict[str, str] = {}
        for code, name in session.execute(select(TechnologyArea.code, TechnologyArea.name)):
            areas[normalise(code)] = code
            areas[normalise(name)] = code
        by_email: dict[str, set[int]] = {}
        for record_id, values in current.items():
            if values["email"]:
                by_email.setdefault(values["email"].lower(), set()).add(record_id)
        return Context(
            plan,
            Departments(session),
            by_number,
            current,
            areas,
            set(session.scalars(select(DualUseCategory.code))),
            by_email=by_email,
        )

    def notes(self, context: Context) -> list[str]:
        if not context.departments.new:
            return []
        return ["new departments: " + ", ".join(sorted(context.departments.new.values()))]

    def plan_row(self, context: Context, row: p.RowPlan, mapped: set[str]) -> None:
        values = row.values

        def problem(key: str, reason: str) -> None:
            row.problems.append(p.Problem(row.row, p.column_of(context.plan, key), reason))

        from rsdesk.services.staff import EMAIL, normalise_email

        email = values["email"] = normalise_email(values.get("email"))
        if email and not EMAIL.match(email):
            problem("email", f"{email!r} is not an e-mail address")
        area = values.get("technology_area")
        if area:
            code = context.areas.get(normalise(area))
            if code is None:
                problem("technology_area", f"unknown critical technology area {area!r}")
            values["technology_area_code"] = code
        elif "technology_area" in mapped:
            values["technology_area_code"] = None
        code = values.get("dual_use_code")
        if code and code not in context.dual_use:
            problem("dual_use_code", f"unknown dual-use category {code!r}")
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            problem("end_date", "the end date is before the start date")
        if row.problems:
            return
        number = values["staff_number"]
        record_id = None
        if values.get("id") is not None and values["id"] in context.current:
            record_id = values["id"]
        else:
            record_id = context.by_number.get(number.lower())
        key = record_id or number.lower()
        if key in context.seen:
            problem("staff_number", f"same person as row {context.seen[key]}")
            return
        context.seen[key] = row.row
        other = context.by_number.get(number.lower())
        if other is not None and other != record_id:
            problem("staff_number", f"staff number {number} belongs to another person")
            return
        if email and self._email_taken(context, row, email, key, record_id, problem):
            return
        if "technology_area" in mapped:
            mapped = mapped | {"technology_area_code"}
        record = {name: values.get(name) for name in SCALARS if name in mapped}
        if "department" in mapped:
            record["department"] = context.departments.resolve(values.get("department"))
        row.values = record
        if record_id is None:
            if not record.get("role_category"):
                problem("role_category", "required for a new staff member, empty")
                return
            row.action, row.key = p.CREATE, number
            return
        current = context.current[record_id]
        row.record_id, row.key = record_id, current["staff_number"]
        if current["anonymised"]:
            problem("staff_number", "this former staff member was anonymised; cannot be changed")
            return
        changes = {
            name: (current[name], record[name])
            for name in SCALARS
            if name in record
            and (record[name] or None) != (current[name] or None)
            and not (name == "role_category" and record[name] is None)
        }
        if "department" in record:
            resolved = record["department"]
            new_id = None if resolved is None else resolved[1]
            if resolved is not None and resolved[0] == "new" or new_id != current["department_id"]:
                changes["department"] = (
                    context.departments.names_by_id.get(current["department_id"]),
                    values.get("department"),
                )
        if not changes:
            row.action = p.UNCHANGED
        elif context.plan.on_duplicate == "skip":
            row.action, row.note = p.SKIP, "already in the register"
        else:
            row.action, row.changes = p.UPDATE, changes

    @staticmethod
    def _email_taken(
        context: Context, row: p.RowPlan, email: str, key: Any, record_id: int | None, problem: Any
    ) -> bool:
        """Refuses an e-mail (compared ignoring case) that another row of the file or another
        person in the register has; a person keeps an address they already share."""
        earlier = context.seen_emails.get(email)
        if earlier is not None and earlier[1] != key:
            problem("email", f"e-mail {email} is also on row {earlier[0]}")
            return True
        context.seen_emails.setdefault(email, (row.row, key))
        owners = context.by_email.get(email, set())
        if owners and record_id not in owners:
            number = context.current[min(owners)]["staff_number"]
            problem("email", f"e-mail {email} is already used by staff number {number}")
            return True
        return False

    def write(
        self,
        session: Session,
        context: Context,
        rows: list[p.RowPlan],
        progress: Progress,
        cancel: CancelToken,
    ) -> None:
        from rsdesk.services import staff

        context.departments.create_new(
            session,
            {
                r.values["department"][1]
                for r in rows
                if (r.values.get("department") or ("",))[0] == "new"
            },
        )
        for done, row in enumerate(rows, 1):
            if done % 200 == 0:
                cancel.raise_if_cancelled()
                progress(done, len(rows), "writing staff")
            values: dict[str, Any] = {}
            if row.record_id is not None:
                values = dict(context.current[row.record_id])
                values = {k: v for k, v in values.items() if k in SCALARS}
                values["department_id"] = context.current[row.record_id]["department_id"]
            for name in SCALARS:
                if name in row.values and not (
                    name == "role_category" and row.values[name] is None
                ):
                    values[name] = row.values[name]
            if "department" in row.values:
                values["department_id"] = context.departments.id_of(row.values["department"])
            values["sensitive_facility_access"] = bool(values.get("sensitive_facility_access"))
            data = staff.StaffInput(**values)
            try:
                if row.record_id is None:
                    staff.create(session, data)
                else:
                    staff.update(session, row.record_id, data, today=dt.date.today())
            except ValidationError as exc:
                raise ValidationError(f"Nothing was imported: row {row.row}: {exc}") from exc


TARGET = StaffTarget()
