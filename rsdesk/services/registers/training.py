"""The training records register: who completed which course when, and when it expires."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from rsdesk.db.text_folding import sortable
from rsdesk.models import Department, StaffMember, TrainingCourse, TrainingRecord
from rsdesk.services.registers.base import DATE, Column, Filter, RegisterSpec, accent_blind
from rsdesk.services.registers.staff import _department_choices
from rsdesk.services.training import EXPIRING_DAYS


def _base() -> Select[Any]:
    return (
        select()
        .select_from(TrainingRecord)
        .join(StaffMember, StaffMember.id == TrainingRecord.staff_id)
        .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
        .outerjoin(Department, Department.id == StaffMember.department_id)
    )


def _expiry_filter(statement: Select[Any], value: Any) -> Select[Any]:
    """By the record's own expiry (see services/training.py for the edges)."""
    today = dt.date.today()
    if value == "expired":
        return statement.where(TrainingRecord.expires_on < today)
    if value == "expiring":
        return statement.where(
            TrainingRecord.expires_on.between(today, today + dt.timedelta(days=EXPIRING_DAYS))
        )
    raise ValueError(f"unknown expiry filter {value!r}")


def _course_choices(session: Any) -> list[tuple[Any, str]]:
    return [
        (row.id, row.name)
        for row in session.execute(
            select(TrainingCourse.id, TrainingCourse.name).order_by(TrainingCourse.id)
        )
    ]


SPEC = RegisterSpec(
    name="training",
    title="Training records",
    id_expr=TrainingRecord.id,
    base=_base,
    audit_table="training_record",
    archived_expr=StaffMember.archived,
    default_sort="completed_on",
    default_descending=True,
    columns=(
        Column("staff_number", "Staff no.", StaffMember.staff_number, width=11, personal=True),
        Column(
            "staff_name",
            "Name",
            StaffMember.full_name,
            width=24,
            personal=True,
            sort_by=sortable(StaffMember.full_name),
        ),
        Column("department", "Department", Department.name, width=20),
        Column("course", "Course", TrainingCourse.name, width=32),
        Column("completed_on", "Completed", TrainingRecord.completed_on, DATE, width=11),
        Column("expires_on", "Expires", TrainingRecord.expires_on, DATE, width=11),
        Column("certificate_ref", "Certificate", TrainingRecord.certificate_ref, width=18),
        Column("note", "Note", TrainingRecord.note, width=24, visible=False),
    ),
    search=(accent_blind(StaffMember.full_name), StaffMember.staff_number, TrainingCourse.name),
    filters=(
        Filter(
            "course",
            "Course",
            lambda s, v: s.where(TrainingRecord.course_id == int(v)),
            _course_choices,
        ),
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(StaffMember.department_id == int(v)),
            _department_choices,
        ),
        Filter(
            "expiry",
            "Expiry",
            _expiry_filter,
            lambda _s: [("expired", "Expired"), ("expiring", "Expiring in 30 days")],
        ),
        Filter("staff", "Staff member", lambda s, v: s.where(TrainingRecord.staff_id == int(v))),
    ),
)
