"""Reference lists for pickers and drop-downs: departments, technology areas, dual-use categories,
staff members. Plain frozen dataclasses; the UI never queries these tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from rsdesk.models import Department, DualUseCategory, StaffMember, TechnologyArea


@dataclass(frozen=True)
class Choice:
    """One entry of a drop-down: the stored value and what the user reads."""

    value: int | str
    label: str


@dataclass(frozen=True)
class TechnologyChoice:
    code: str
    name: str
    most_sensitive: bool


@dataclass(frozen=True)
class StaffChoice:
    id: int
    full_name: str
    department: str | None

    @property
    def label(self) -> str:
        return f"{self.full_name} ({self.department})" if self.department else self.full_name


def departments(session: Session, include_archived: bool = False) -> list[Choice]:
    statement = select(Department.id, Department.name).order_by(Department.name)
    if not include_archived:
        statement = statement.where(Department.archived.is_(False))
    return [Choice(row.id, row.name) for row in session.execute(statement)]


def technology_areas(session: Session) -> list[TechnologyChoice]:
    statement = select(
        TechnologyArea.code, TechnologyArea.name, TechnologyArea.most_sensitive
    ).order_by(TechnologyArea.sort_order, TechnologyArea.code)
    return [
        TechnologyChoice(r.code, r.name, bool(r.most_sensitive)) for r in session.execute(statement)
    ]


def dual_use_categories(session: Session) -> list[Choice]:
    statement = select(DualUseCategory.code, DualUseCategory.name).order_by(DualUseCategory.code)
    return [Choice(row.code, f"{row.code} — {row.name}") for row in session.execute(statement)]


def staff(session: Session, text: str = "", limit: int = 50) -> list[StaffChoice]:
    """Current (not archived, not anonymised) staff whose name or number contains ``text``."""
    statement = (
        select(StaffMember.id, StaffMember.full_name, Department.name.label("department"))
        .outerjoin(Department, Department.id == StaffMember.department_id)
        .where(StaffMember.archived.is_(False), StaffMember.anonymised_at.is_(None))
        .order_by(StaffMember.full_name, StaffMember.id)
        .limit(limit)
    )
    for word in text.split():
        pattern = f"%{word.lower()}%"
        statement = statement.where(
            or_(
                func.lower(StaffMember.full_name).like(pattern),
                func.lower(StaffMember.staff_number).like(pattern),
            )
        )
    return [StaffChoice(r.id, r.full_name, r.department) for r in session.execute(statement)]


def staff_member(session: Session, staff_id: int) -> StaffChoice | None:
    row = session.execute(
        select(StaffMember.id, StaffMember.full_name, Department.name.label("department"))
        .outerjoin(Department, Department.id == StaffMember.department_id)
        .where(StaffMember.id == staff_id)
    ).first()
    return StaffChoice(row.id, row.full_name, row.department) if row else None
