"""The onboarding checks register: every check of every person, filterable by status and due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, case, select

from rsdesk.models import Department, OnboardingCheck, StaffMember
from rsdesk.models.enums import CheckStatus
from rsdesk.services.onboarding import checks_still_matter
from rsdesk.services.registers.base import DATE, STATUS, Column, Filter, RegisterSpec, accent_blind
from rsdesk.services.registers.staff import _department_choices, has_left, today_param

#: What an open check asks of the office, for a manager reading the export: "overdue" (past its
#: due date), "open" (not yet due) or "left" (the person has left: it counts nowhere, as in the
#: staff register); empty for a closed check. The Status column alone read "Open" for all three.
#: Days count by this computer's date (``today_param``), as the staff register's do.
follow_up = case(
    (OnboardingCheck.status != CheckStatus.OPEN, None),
    (has_left, "left"),
    (OnboardingCheck.due_date < today_param, "overdue"),
    else_="open",
)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(OnboardingCheck)
        .join(StaffMember, StaffMember.id == OnboardingCheck.staff_id)
        .outerjoin(Department, Department.id == StaffMember.department_id)
    )


def _due_filter(statement: Select[Any], value: Any) -> Select[Any]:
    today = dt.date.today()
    is_open = OnboardingCheck.status == CheckStatus.OPEN
    if value == "overdue":
        return statement.where(
            is_open, OnboardingCheck.due_date < today, checks_still_matter(today)
        )
    if value == "due30":
        return statement.where(
            is_open,
            OnboardingCheck.due_date.between(today, today + dt.timedelta(days=30)),
            checks_still_matter(today),
        )
    raise ValueError(f"unknown due filter {value!r}")


SPEC = RegisterSpec(
    name="onboarding",
    title="Onboarding checks",
    id_expr=OnboardingCheck.id,
    base=_base,
    audit_table="onboarding_check",
    # Checks of people who left stay on record but out of the working list.
    archived_expr=StaffMember.archived,
    default_sort="due_date",
    columns=(
        Column("staff_number", "Staff no.", StaffMember.staff_number, width=11, personal=True),
        Column("staff_name", "Name", StaffMember.full_name, width=24, personal=True),
        Column("department", "Department", Department.name, width=20),
        Column("check_code", "Code", OnboardingCheck.check_code, width=18, visible=False),
        Column("title", "Check", OnboardingCheck.title, width=34),
        Column("due_date", "Due", OnboardingCheck.due_date, DATE, width=11),
        Column(
            "status",
            "Status",
            OnboardingCheck.status,
            STATUS,
            width=14,
            choices=tuple(s.value for s in CheckStatus),
        ),
        Column(
            "follow_up",
            "Follow-up",
            follow_up,
            STATUS,
            width=11,
            choices=("overdue", "open", "left"),
        ),
        Column("completed_by", "By", OnboardingCheck.completed_by, width=16),
        Column("completed_on", "On", OnboardingCheck.completed_on, DATE, width=11),
        Column(
            "waiver_reason", "Waiver reason", OnboardingCheck.waiver_reason, width=28, visible=False
        ),
        Column("evidence_note", "Evidence", OnboardingCheck.evidence_note, width=28, visible=False),
    ),
    search=(accent_blind(StaffMember.full_name), StaffMember.staff_number, OnboardingCheck.title),
    filters=(
        Filter(
            "status",
            "Status",
            lambda s, v: s.where(OnboardingCheck.status == v),
            lambda _s: [(c.value, c.value.replace("_", " ").capitalize()) for c in CheckStatus],
        ),
        Filter(
            "due",
            "Due",
            _due_filter,
            lambda _s: [("overdue", "Overdue"), ("due30", "Due in 30 days")],
        ),
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(StaffMember.department_id == int(v)),
            _department_choices,
        ),
        Filter("staff", "Staff member", lambda s, v: s.where(OnboardingCheck.staff_id == int(v))),
        Filter("check_code", "Check", lambda s, v: s.where(OnboardingCheck.check_code == v)),
    ),
)
