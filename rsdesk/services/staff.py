"""Staff members: create, update and archive, with validation; each change keeps the checklist right.

A staff record holds what the onboarding checks and training need and nothing about who a person
is (no nationality, citizenship, ethnicity or religion; see rsdesk/models/staff.py). Adding a person
creates their onboarding checklist from the rules; a change of role or research sensitivity adds
the checks that newly apply and leaves the existing ones as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rsdesk.models import Department, DualUseCategory, StaffMember, TechnologyArea
from rsdesk.models.enums import RoleCategory
from rsdesk.services import onboarding
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ValidationError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Fields whose change can make new checks apply.
SENSITIVITY_FIELDS = (
    "role_category",
    "technology_area_code",
    "dual_use_code",
    "sensitive_facility_access",
)


@dataclass(frozen=True)
class StaffInput:
    """What a form or an import row gives for one person."""

    staff_number: str
    full_name: str
    role_category: RoleCategory | str
    email: str | None = None
    department_id: int | None = None
    research_area: str | None = None
    technology_area_code: str | None = None
    dual_use_code: str | None = None
    sensitive_facility_access: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class StaffInfo:
    id: int
    staff_number: str
    full_name: str
    email: str | None
    department_id: int | None
    role_category: RoleCategory
    research_area: str | None
    technology_area_code: str | None
    dual_use_code: str | None
    sensitive_facility_access: bool
    start_date: dt.date | None
    end_date: dt.date | None
    archived: bool
    anonymised_at: dt.datetime | None
    #: What the editor hands back on save, so that a change made meanwhile is not overwritten.
    row_version: int = 1

    def as_input(self) -> StaffInput:
        names = {f.name for f in fields(StaffInput)}
        return StaffInput(**{name: getattr(self, name) for name in names})


@dataclass(frozen=True)
class StaffChange:
    """The result of a create or update: the record and the check codes that were added."""

    staff: StaffInfo
    checks_added: tuple[str, ...]


def info(staff: StaffMember) -> StaffInfo:
    return StaffInfo(
        staff.id,
        staff.staff_number,
        staff.full_name,
        staff.email,
        staff.department_id,
        RoleCategory(staff.role_category),
        staff.research_area,
        staff.technology_area_code,
        staff.dual_use_code,
        bool(staff.sensitive_facility_access),
        staff.start_date,
        staff.end_date,
        bool(staff.archived),
        staff.anonymised_at,
        staff.row_version,
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def normalise_email(value: str | None) -> str | None:
    """An e-mail address as stored: trimmed and lower-cased, so that "M.Garcia@Inst.example"
    and "m.garcia@inst.example" are one address (None when empty)."""
    cleaned = _clean(value)
    return cleaned.lower() if cleaned else None


def email_owner(session: Session, email: str, staff_id: int | None = None) -> str | None:
    """The staff number of another person whose e-mail is ``email`` ignoring case, or None.

    A person who already shares an address with someone (stored before addresses were
    compared) may keep it: only an address new to them is refused, so that upgrading a database
    holding such pairs breaks no save that leaves the address alone.
    """
    folded = func.lower(StaffMember.email)
    if staff_id is not None:
        own = session.scalar(select(folded).where(StaffMember.id == staff_id))
        if own == email:
            return None
    other = select(StaffMember.staff_number).where(folded == email)
    if staff_id is not None:
        other = other.where(StaffMember.id != staff_id)
    return session.scalar(other.order_by(StaffMember.id).limit(1))


def validate(session: Session, data: StaffInput, staff_id: int | None = None) -> dict[str, Any]:
    """Checks ``data`` and returns the column values to store; raises ValidationError(field=...)."""
    number = _clean(data.staff_number)
    if not number:
        raise ValidationError("The staff number is required", field="staff_number")
    if len(number) > 40:
        raise ValidationError("The staff number is longer than 40 characters", field="staff_number")
    name = _clean(data.full_name)
    if not name:
        raise ValidationError("The name is required", field="full_name")
    if len(name) > 200:
        raise ValidationError("The name is longer than 200 characters", field="full_name")
    try:
        role = RoleCategory(data.role_category)
    except ValueError:
        allowed = ", ".join(r.value for r in RoleCategory)
        raise ValidationError(
            f"Unknown role category {data.role_category!r}; allowed: {allowed}",
            field="role_category",
        ) from None
    email = normalise_email(data.email)
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        raise ValidationError(f"{email!r} is not an e-mail address", field="email")
    owner = email_owner(session, email, staff_id) if email is not None else None
    if owner is not None:
        raise ValidationError(
            f"The e-mail {email} is already used by staff number {owner}", field="email"
        )
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise ValidationError("The end date is before the start date", field="end_date")
    duplicate = select(StaffMember.id).where(func.lower(StaffMember.staff_number) == number.lower())
    if staff_id is not None:
        duplicate = duplicate.where(StaffMember.id != staff_id)
    if session.scalar(duplicate.limit(1)) is not None:
        raise ValidationError(f"Staff number {number} is already in use", field="staff_number")
    if data.department_id is not None and session.get(Department, data.department_id) is None:
        raise ValidationError(
            f"Department {data.department_id} does not exist", field="department_id"
        )
    area = _clean(data.technology_area_code)
    if area and session.get(TechnologyArea, area) is None:
        raise ValidationError(
            f"Unknown critical technology area {area!r}", field="technology_area_code"
        )
    dual_use = _clean(data.dual_use_code)
    if dual_use and session.get(DualUseCategory, dual_use) is None:
        raise ValidationError(f"Unknown dual-use category {dual_use!r}", field="dual_use_code")
    return {
        "staff_number": number,
        "full_name": name,
        "email": email,
        "department_id": data.department_id,
        "role_category": role,
        "research_area": _clean(data.research_area),
        "technology_area_code": area,
        "dual_use_code": dual_use,
        "sensitive_facility_access": bool(data.sensitive_facility_access),
        "start_date": data.start_date,
        "end_date": data.end_date,
    }


def create(
    session: Session, data: StaffInput, rules: onboarding.OnboardingRules | None = None
) -> StaffChange:
    """Adds a person and their onboarding checklist (due dates from the start date)."""
    values = validate(session, data)
    staff = StaffMember(**values)
    session.add(staff)
    session.flush()
    added = onboarding.add_applicable_checks(session, staff, rules)
    return StaffChange(info(staff), tuple(added))


def get(session: Session, staff_id: int) -> StaffInfo:
    return info(_get(session, staff_id))


def _get(session: Session, staff_id: int) -> StaffMember:
    staff = session.get(StaffMember, staff_id)
    if staff is None:
        raise NotFoundError(f"Staff member {staff_id} does not exist")
    return staff


def update(
    session: Session,
    staff_id: int,
    data: StaffInput,
    rules: onboarding.OnboardingRules | None = None,
    today: dt.date | None = None,
    *,
    seen_version: int | None = None,
) -> StaffChange:
    """Saves changes; if role or research sensitivity changed, adds the checks that now apply.

    New checks are due counted from today (or the start date, if that is still ahead).
    ``seen_version`` is the ``row_version`` the editor loaded: a save made meanwhile in another
    session is not overwritten (ConflictError).
    """
    claim_version(session, StaffMember, staff_id, seen_version, "staff member")
    staff = _get(session, staff_id)
    if staff.anonymised_at is not None:
        raise ValidationError("An anonymised former staff member cannot be edited")
    values = validate(session, data, staff_id)
    before = {name: getattr(staff, name) for name in SENSITIVITY_FIELDS}
    for name, value in values.items():
        if getattr(staff, name) != value:
            setattr(staff, name, value)
    session.flush()
    added: list[str] = []
    if any(before[name] != getattr(staff, name) for name in SENSITIVITY_FIELDS):
        today = today or dt.date.today()
        start = max(today, staff.start_date) if staff.start_date else today
        added = onboarding.add_applicable_checks(session, staff, rules, from_date=start)
    return StaffChange(info(staff), tuple(added))


def change(session: Session, staff_id: int, **values: Any) -> StaffChange:
    """Convenience for one or two fields: ``change(session, 3, role_category="professor")``."""
    current = get(session, staff_id).as_input()
    return update(session, staff_id, replace(current, **values))


def archive(session: Session, staff_id: int, end_date: dt.date | None = None) -> StaffInfo:
    """Archives a person (they left); sets the end date if given. Records are kept."""
    staff = _get(session, staff_id)
    if end_date is not None:
        if staff.start_date and end_date < staff.start_date:
            raise ValidationError("The end date is before the start date", field="end_date")
        staff.end_date = end_date
    staff.archived = True
    session.flush()
    return info(staff)


def restore(session: Session, staff_id: int) -> StaffInfo:
    staff = _get(session, staff_id)
    if staff.anonymised_at is not None:
        raise ValidationError("An anonymised former staff member cannot be restored")
    staff.archived = False
    session.flush()
    return info(staff)
