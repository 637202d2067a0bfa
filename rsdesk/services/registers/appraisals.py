"""The appraisals register: every appraisal of every collaboration, with level and decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select

from rsdesk.models import Appraisal, Collaboration
from rsdesk.models.enums import AppraisalDecision, AppraisalStatus, RiskLevel
from rsdesk.services.appraisal.drafts import awaiting_decision
from rsdesk.services.registers.base import (
    DATE,
    DATETIME,
    ENUM,
    INT,
    RISK,
    STATUS,
    Column,
    Filter,
    RegisterSpec,
)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(Appraisal)
        .join(Collaboration, Collaboration.id == Appraisal.collaboration_id)
    )


def _values(enum_class: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum_class)


def _enum_choices(enum_class: Any) -> Any:
    return lambda _session: [(m.value, m.value.replace("_", " ").capitalize()) for m in enum_class]


def _review_filter(statement: Select[Any], value: Any) -> Select[Any]:
    today = dt.date.today()
    if value == "overdue":
        return statement.where(Appraisal.next_review_date < today)
    if value == "due90":
        return statement.where(
            Appraisal.next_review_date.between(today, today + dt.timedelta(days=90))
        )
    raise ValueError(f"unknown review filter {value!r}")


SPEC = RegisterSpec(
    name="appraisals",
    title="Appraisals",
    id_expr=Appraisal.id,
    base=_base,
    audit_table="appraisal",
    default_sort="created_at",
    default_descending=True,
    columns=(
        Column("reference", "Collaboration", Collaboration.reference, width=13),
        Column("title", "Title", Collaboration.title, width=36),
        Column("version", "Version", Appraisal.version, INT, width=8),
        Column(
            "status", "Status", Appraisal.status, STATUS, width=11, choices=_values(AppraisalStatus)
        ),
        Column(
            "risk_level", "Risk", Appraisal.risk_level, RISK, width=10, choices=_values(RiskLevel)
        ),
        Column("score", "Score", Appraisal.score, INT, width=7),
        Column(
            "decision",
            "Decision",
            Appraisal.decision,
            ENUM,
            width=22,
            choices=_values(AppraisalDecision),
        ),
        Column("signed_off_by", "Signed off by", Appraisal.signed_off_by, width=20, personal=True),
        Column("signed_off_role", "Role", Appraisal.signed_off_role, width=18, visible=False),
        Column("signed_off_at", "Signed off", Appraisal.signed_off_at, DATETIME, width=16),
        Column("next_review_date", "Next review", Appraisal.next_review_date, DATE, width=11),
        Column("model_version", "Model version", Appraisal.model_version, width=18, visible=False),
        Column("created_at", "Started", Appraisal.created_at, DATETIME, width=16),
    ),
    search=(Collaboration.reference, Collaboration.title, Appraisal.signed_off_by),
    filters=(
        Filter(
            "status",
            "Status",
            lambda s, v: s.where(Appraisal.status == v),
            _enum_choices(AppraisalStatus),
        ),
        # The dashboard's drill-down only (no drop-down): drafts someone worked on.
        Filter(
            "awaiting",
            "Awaiting a decision",
            lambda s, v: s.where(awaiting_decision()) if v else s,
        ),
        Filter(
            "risk_level",
            "Risk level",
            lambda s, v: s.where(Appraisal.risk_level == v),
            _enum_choices(RiskLevel),
        ),
        Filter(
            "decision",
            "Decision",
            lambda s, v: s.where(Appraisal.decision == v),
            _enum_choices(AppraisalDecision),
        ),
        Filter(
            "collaboration",
            "Collaboration",
            lambda s, v: s.where(Appraisal.collaboration_id == int(v)),
        ),
        Filter(
            "review",
            "Review",
            _review_filter,
            lambda _s: [("overdue", "Overdue"), ("due90", "Due in 90 days")],
        ),
    ),
)
