"""Demo sections for the institution itself: departments and staff."""

from __future__ import annotations

import datetime as dt
import re

from anyascii import anyascii

from rsdesk.models import Department, StaffMember
from rsdesk.models.enums import RoleCategory
from rsdesk.services.demo.context import DemoContext, DepartmentRow, StaffRow
from rsdesk.services.demo.vocabulary import FIRST_NAMES, OFFICE, PROFILES, SURNAMES, Profile

EMAIL_DOMAIN = "demo-university.example"

#: Role mix of a research university, in percent.
ROLE_WEIGHTS = {
    RoleCategory.PROFESSOR: 8,
    RoleCategory.RESEARCHER: 12,
    RoleCategory.POSTDOC: 14,
    RoleCategory.PHD_CANDIDATE: 24,
    RoleCategory.VISITING_RESEARCHER: 5,
    RoleCategory.TECHNICIAN: 8,
    RoleCategory.RESEARCH_SUPPORT: 7,
    RoleCategory.MANAGER: 4,
    RoleCategory.ADMINISTRATIVE: 11,
    RoleCategory.STUDENT_ASSISTANT: 7,
}
RESEARCH_ROLES = frozenset(
    {
        RoleCategory.PROFESSOR,
        RoleCategory.RESEARCHER,
        RoleCategory.POSTDOC,
        RoleCategory.PHD_CANDIDATE,
        RoleCategory.VISITING_RESEARCHER,
        RoleCategory.TECHNICIAN,
    }
)
#: Who may lead a collaboration.
LEAD_ROLES = frozenset({RoleCategory.PROFESSOR, RoleCategory.RESEARCHER, RoleCategory.POSTDOC})
#: Years back a person in this role may have started, and the usual contract length in months.
TENURE = {
    RoleCategory.PROFESSOR: (25, None),
    RoleCategory.RESEARCHER: (15, None),
    RoleCategory.POSTDOC: (4, 36),
    RoleCategory.PHD_CANDIDATE: (5, 48),
    RoleCategory.VISITING_RESEARCHER: (2, 9),
    RoleCategory.TECHNICIAN: (20, None),
    RoleCategory.RESEARCH_SUPPORT: (12, None),
    RoleCategory.MANAGER: (15, None),
    RoleCategory.ADMINISTRATIVE: (20, None),
    RoleCategory.STUDENT_ASSISTANT: (3, 18),
}

PROFILE_BY_KEY = {profile.key: profile for profile in (*PROFILES, OFFICE)}


def profile_of(ctx: DemoContext, department_id: int) -> Profile:
    return PROFILE_BY_KEY[ctx.departments[department_id - 1].profile_key]


def go_live(ctx: DemoContext) -> dt.date:
    """The day the office started its register (older records were imported that day)."""
    return ctx.anchor - dt.timedelta(days=6 * 365 + 60)


def departments(ctx: DemoContext) -> dict[str, int]:
    """12 to 20 departments, more for a larger institution, plus the research-security office."""
    wanted = min(len(PROFILES), max(12, 12 + ctx.size // 12_500))
    chosen = sorted(ctx.rng.sample(range(len(PROFILES)), wanted))
    profiles = [PROFILES[index] for index in chosen] + [OFFICE]
    created = ctx.moment(go_live(ctx))
    rows = []
    for profile in profiles:
        row_id = ctx.new_id(Department.__table__)
        rows.append(
            {
                "id": row_id,
                "name": profile.name,
                "code": profile.code,
                "archived": False,
                "created_at": created,
                "updated_at": created,
            }
        )
        ctx.departments.append(DepartmentRow(row_id, profile.name, profile.code, profile.key))
    return {"departments": ctx.write(Department.__table__, rows)}


def staff(ctx: DemoContext) -> dict[str, int]:
    """About one staff member per 20 collaborations (at least 40), officers included."""
    rng = ctx.rng
    count = max(40, ctx.size // 20)
    research_departments = [d for d in ctx.departments if d.profile_key != OFFICE.key]
    office = next(d for d in ctx.departments if d.profile_key == OFFICE.key)
    weights = [PROFILE_BY_KEY[d.profile_key].weight for d in research_departments]
    officer_count = min(8, 3 + ctx.size // 20_000)
    roles = list(ROLE_WEIGHTS)
    role_weights = list(ROLE_WEIGHTS.values())
    emails: set[str] = set()
    number = 10_000
    started_register = go_live(ctx)
    rows = []
    for index in range(count):
        row_id = ctx.new_id(StaffMember.__table__)
        if index < officer_count:
            department = office
            role = RoleCategory.MANAGER if index == 0 else RoleCategory.RESEARCH_SUPPORT
        else:
            department = rng.choices(research_departments, weights)[0]
            role = rng.choices(roles, role_weights)[0]
        profile = PROFILE_BY_KEY[department.profile_key]
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        full_name = f"{first} {last}"
        email = _email(first, last, emails)
        number += rng.randint(1, 9)
        years_back, contract_months = TENURE[role]
        start = ctx.anchor - dt.timedelta(days=rng.randint(0, years_back * 365))
        end: dt.date | None = None
        if contract_months is not None:
            end = start + dt.timedelta(days=int(contract_months * 30.4 * rng.uniform(0.6, 1.3)))
        elif rng.random() < 0.12:
            end = start + dt.timedelta(days=rng.randint(180, max(181, (ctx.anchor - start).days)))
        research = role in RESEARCH_ROLES and department is not office
        research_area = rng.choice(profile.fields) if research else None
        area = dual_use = None
        areas = [code for code in profile.areas if code in ctx.technology_areas]
        if research and areas and rng.random() < 0.35:
            area = rng.choice(areas)
            codes = [code for code in profile.dual_use if code in ctx.dual_use_codes]
            if codes and rng.random() < 0.3:
                dual_use = rng.choice(codes)
        facility = research and rng.random() < (
            0.45 if role == RoleCategory.TECHNICIAN else 0.3 if area else 0.05
        )
        created = ctx.moment(max(started_register, start - dt.timedelta(days=rng.randint(0, 30))))
        left_long_ago = end is not None and end < ctx.anchor - dt.timedelta(days=365)
        rows.append(
            {
                "id": row_id,
                "staff_number": f"E{number:06d}",
                "full_name": full_name,
                "email": email,
                "department_id": department.id,
                "role_category": role.value,
                "research_area": research_area,
                "technology_area_code": area,
                "dual_use_code": dual_use,
                "sensitive_facility_access": facility,
                "start_date": start,
                "end_date": end,
                "anonymised_at": None,
                "archived": left_long_ago and rng.random() < 0.5,
                "created_at": created,
                "updated_at": created,
            }
        )
        member = StaffRow(
            row_id, full_name, email, role.value, department.id, start, end,
            research_area, area, dual_use, facility,
        )  # fmt: skip
        ctx.staff.append(member)
        if department is office:
            ctx.officers.append(member)
    return {"staff members": ctx.write(StaffMember.__table__, rows)}


def _email(first: str, last: str, taken: set[str]) -> str:
    def clean(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")

    base = f"{clean(first)}.{clean(last)}"
    email, counter = f"{base}@{EMAIL_DOMAIN}", 1
    while email in taken:
        counter += 1
        email = f"{base}{counter}@{EMAIL_DOMAIN}"
    taken.add(email)
    return email
