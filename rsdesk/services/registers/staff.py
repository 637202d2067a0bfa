"""The staff register: who works here, in which role and research area, and their onboarding state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, exists, func, not_, or_, select

from rsdesk.db.text_folding import sortable
from rsdesk.models import Department, OnboardingCheck, StaffMember, TechnologyArea
from rsdesk.models.enums import CheckStatus, RoleCategory
from rsdesk.services.onboarding import checks_still_matter
from rsdesk.services.registers.base import (
    BOOL,
    DATE,
    ENUM,
    INT,
    Column,
    Filter,
    RegisterSpec,
    accent_blind,
)
from rsdesk.services.registers.labels import enum_label


def _local_today() -> dt.date:
    return dt.date.today()  # dt.date.today, not the database's date: see today_param


#: Today as this computer's calendar has it, read when the statement runs (so the statement stays
#: cacheable). Not the database's ``CURRENT_DATE``: SQLite's is the UTC date, and near midnight a
#: person's "Left" badge disagreed for a day with the filters and figures, which use the local date.
today_param = bindparam("today", type_=Date, callable_=lambda: _local_today())

#: Open and overdue checks per person, aggregated once for the whole query and joined, rather
#: than two correlated subqueries per row (which made thousands of rows take seconds).
_open = OnboardingCheck.status == CheckStatus.OPEN
checks_per_person = (
    select(
        OnboardingCheck.staff_id.label("staff_id"),
        func.sum(case((_open, 1), else_=0)).label("open"),
        func.sum(case((_open & (OnboardingCheck.due_date < today_param), 1), else_=0)).label(
            "overdue"
        ),
    )
    .group_by(OnboardingCheck.staff_id)
    .subquery("checks_per_person")
)
#: Whether the person has left (archived, anonymised or past their end date) as the register's
#: SQL sees today: the same rule as ``checks_still_matter``, so a leaver reads "Left" rather
#: than "Overdue" and the row agrees with the dashboard, which no longer counts their checks.
has_left = or_(
    StaffMember.archived.is_(True),
    StaffMember.anonymised_at.is_not(None),
    StaffMember.end_date < today_param,
)
_open_count = func.coalesce(checks_per_person.c.open, 0)
_overdue_count = func.coalesce(checks_per_person.c.overdue, 0)
#: Open and overdue checks of the people still here; empty for a leaver, whose checks count
#: nowhere (a row reading "Left" with "Overdue 2" beside it said both).
open_checks = case((has_left, None), else_=_open_count)
overdue_checks = case((has_left, None), else_=_overdue_count)
onboarding_state = case(
    (has_left, "left"),
    (_overdue_count > 0, "overdue"),
    (_open_count > 0, "open"),
    else_="complete",
)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(StaffMember)
        .outerjoin(Department, Department.id == StaffMember.department_id)
        .outerjoin(TechnologyArea, TechnologyArea.code == StaffMember.technology_area_code)
        .outerjoin(checks_per_person, checks_per_person.c.staff_id == StaffMember.id)
    )


def _onboarding_filter(statement: Select[Any], value: Any) -> Select[Any]:
    """People by the register's onboarding state. Someone who left reads "Left" there, so
    none of the states picks them; "overdue" lists the people behind the dashboard's figure."""
    condition = and_(
        OnboardingCheck.staff_id == StaffMember.id, OnboardingCheck.status == CheckStatus.OPEN
    )
    today = _local_today()
    statement = statement.where(checks_still_matter(today))
    if value == "overdue":
        return statement.where(exists().where(condition, OnboardingCheck.due_date < today))
    elif value == "complete":
        return statement.where(~exists().where(condition))
    elif value != "open":
        raise ValueError(f"unknown onboarding filter {value!r}")
    return statement.where(exists().where(condition))


def _employment_filter(statement: Select[Any], value: Any) -> Select[Any]:
    """``current``: people still here (the staff view without "Show people who left");
    ``left``: the others. One rule with the onboarding figures: ``checks_still_matter``."""
    still_here = checks_still_matter(_local_today())
    if value == "current":
        return statement.where(still_here)
    if value == "left":
        return statement.where(not_(still_here))
    raise ValueError(f"unknown employment filter {value!r}")


def _sensitivity_filter(statement: Select[Any], value: Any) -> Select[Any]:
    if value == "critical_technology":
        return statement.where(StaffMember.technology_area_code.is_not(None))
    if value == "dual_use":
        return statement.where(StaffMember.dual_use_code.is_not(None))
    if value == "sensitive_facility":
        return statement.where(StaffMember.sensitive_facility_access.is_(True))
    raise ValueError(f"unknown sensitivity filter {value!r}")


def _department_choices(session: Any) -> list[tuple[Any, str]]:
    return [
        (row.id, row.name)
        for row in session.execute(
            select(Department.id, Department.name)
            .where(Department.archived.is_(False))
            .order_by(Department.name)
        )
    ]


SPEC = RegisterSpec(
    name="staff",
    title="Staff",
    id_expr=StaffMember.id,
    base=_base,
    audit_table="staff_member",
    archived_expr=StaffMember.archived,
    default_sort="full_name",
    columns=(
        Column("staff_number", "Staff no.", StaffMember.staff_number, width=11, personal=True),
        Column(
            "full_name",
            "Name",
            StaffMember.full_name,
            width=26,
            personal=True,
            sort_by=sortable(StaffMember.full_name),
        ),
        Column("email", "E-mail", StaffMember.email, width=28, visible=False, personal=True),
        Column("department", "Department", Department.name, width=22),
        Column(
            "role_category",
            "Role",
            StaffMember.role_category,
            ENUM,
            width=16,
            choices=tuple(r.value for r in RoleCategory),
        ),
        Column("research_area", "Research area", StaffMember.research_area, width=22),
        Column("technology_area", "Critical technology", TechnologyArea.name, width=22),
        Column("dual_use_code", "Dual-use", StaffMember.dual_use_code, width=8),
        Column(
            "sensitive_facility_access",
            "Facility access",
            StaffMember.sensitive_facility_access,
            BOOL,
            width=8,
            visible=False,
        ),
        Column(
            "onboarding",
            "Onboarding",
            onboarding_state,
            ENUM,
            width=11,
            choices=("overdue", "open", "complete", "left"),
        ),
        Column("open_checks", "Open checks", open_checks, INT, width=7),
        Column("overdue_checks", "Overdue", overdue_checks, INT, width=7),
        Column("start_date", "Start", StaffMember.start_date, DATE, width=11),
        Column("end_date", "End", StaffMember.end_date, DATE, width=11),
    ),
    search=(accent_blind(StaffMember.full_name), StaffMember.staff_number, StaffMember.email),
    filters=(
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(StaffMember.department_id == int(v)),
            _department_choices,
        ),
        Filter(
            "role_category",
            "Role",
            lambda s, v: s.where(StaffMember.role_category == v),
            lambda _s: [(r.value, enum_label(r)) for r in RoleCategory],
        ),
        Filter(
            "onboarding",
            "Onboarding",
            _onboarding_filter,
            lambda _s: [
                ("overdue", "Overdue checks"),
                ("open", "Open checks"),
                ("complete", "Complete"),
            ],
        ),
        Filter(
            "employment",
            "Employment",
            _employment_filter,
            lambda _s: [("current", "Current staff"), ("left", "People who left")],
        ),
        Filter(
            "sensitivity",
            "Research sensitivity",
            _sensitivity_filter,
            lambda _s: [
                ("critical_technology", "Critical technology area"),
                ("dual_use", "Dual-use"),
                ("sensitive_facility", "Sensitive facility access"),
            ],
        ),
    ),
)
