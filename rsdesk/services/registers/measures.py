"""The mitigation measures register: what was agreed in appraisals, who owns it, when it is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from rsdesk.models import Appraisal, Collaboration, MitigationMeasure, StaffMember
from rsdesk.models.enums import MeasureStatus
from rsdesk.services.registers.base import (
    DATE,
    INT,
    STATUS,
    Column,
    Filter,
    RegisterSpec,
    accent_blind,
)

_OPEN = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(MitigationMeasure)
        .join(Collaboration, Collaboration.id == MitigationMeasure.collaboration_id)
        .outerjoin(Appraisal, Appraisal.id == MitigationMeasure.appraisal_id)
        .outerjoin(StaffMember, StaffMember.id == MitigationMeasure.owner_staff_id)
    )


def _due_filter(statement: Select[Any], value: Any) -> Select[Any]:
    today = dt.date.today()
    open_ = MitigationMeasure.status.in_(_OPEN)
    if value == "overdue":
        return statement.where(open_, MitigationMeasure.due_date < today)
    if value == "due30":
        return statement.where(
            open_, MitigationMeasure.due_date.between(today, today + dt.timedelta(days=30))
        )
    if value == "open":
        return statement.where(open_)
    raise ValueError(f"unknown due filter {value!r}")


SPEC = RegisterSpec(
    name="measures",
    title="Mitigation measures",
    id_expr=MitigationMeasure.id,
    base=_base,
    audit_table="mitigation_measure",
    archived_expr=MitigationMeasure.archived,
    default_sort="due_date",
    columns=(
        Column("reference", "Collaboration", Collaboration.reference, width=13),
        Column("description", "Measure", MitigationMeasure.description, width=48),
        Column("measure_code", "Code", MitigationMeasure.measure_code, width=18, visible=False),
        Column("owner", "Owner", StaffMember.full_name, width=20, personal=True),
        Column("due_date", "Due", MitigationMeasure.due_date, DATE, width=11),
        Column(
            "status",
            "Status",
            MitigationMeasure.status,
            STATUS,
            width=12,
            choices=tuple(m.value for m in MeasureStatus),
        ),
        Column("completed_on", "Completed", MitigationMeasure.completed_on, DATE, width=11),
        Column("appraisal_version", "Appraisal", Appraisal.version, INT, width=9, visible=False),
        Column("evidence", "Evidence", MitigationMeasure.evidence, width=30, visible=False),
    ),
    search=(
        Collaboration.reference,
        MitigationMeasure.description,
        accent_blind(StaffMember.full_name),
    ),
    filters=(
        Filter(
            "status",
            "Status",
            lambda s, v: s.where(MitigationMeasure.status == v),
            lambda _s: [(m.value, m.value.replace("_", " ").capitalize()) for m in MeasureStatus],
        ),
        Filter(
            "due",
            "Due",
            _due_filter,
            lambda _s: [("open", "Open"), ("overdue", "Overdue"), ("due30", "Due in 30 days")],
        ),
        Filter(
            "collaboration",
            "Collaboration",
            lambda s, v: s.where(MitigationMeasure.collaboration_id == int(v)),
        ),
        Filter(
            "owner",
            "Owner",
            lambda s, v: s.where(MitigationMeasure.owner_staff_id == int(v)),
        ),
    ),
)
