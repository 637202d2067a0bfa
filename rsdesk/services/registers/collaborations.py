"""The collaborations register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from rsdesk.db.text_folding import accent_fold
from rsdesk.models import (
    Collaboration,
    CollaborationPartner,
    CollaborationTechnology,
    Department,
    Partner,
    StaffMember,
    TechnologyArea,
)
from rsdesk.models.enums import CollaborationKind, CollaborationStatus, RiskLevel
from rsdesk.services.registers.base import (
    DATE,
    ENUM,
    MONEY,
    RISK,
    STATUS,
    Column,
    Filter,
    RegisterSpec,
    SearchTerm,
)

Lead = aliased(StaffMember, name="lead")

partner_names = (
    select(func.aggregate_strings(Partner.name, "; "))
    .select_from(CollaborationPartner)
    .join(Partner, Partner.id == CollaborationPartner.partner_id)
    .where(CollaborationPartner.collaboration_id == Collaboration.id)
    .correlate(Collaboration)
    .scalar_subquery()
)


def _base() -> Select[Any]:
    return (
        select()
        .select_from(Collaboration)
        .outerjoin(Department, Department.id == Collaboration.department_id)
        .outerjoin(Lead, Lead.id == Collaboration.lead_staff_id)
    )


def _led_by_someone_like(pattern: str) -> ColumnElement[bool]:
    """Collaborations whose lead's name matches: written as a test of the row's id, which the
    scan has at hand (the lead column sits behind the long texts in each row, and reading it
    for every row of a search that matches nothing doubled its time)."""
    led = aliased(Collaboration)
    return Collaboration.id.in_(
        select(led.id).where(
            led.lead_staff_id.in_(
                select(StaffMember.id).where(
                    accent_fold(StaffMember.full_name).like(pattern, escape="\\")
                )
            )
        )
    )


def _values(enum_class: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum_class)


def _review_filter(statement: Select[Any], value: Any) -> Select[Any]:
    today = dt.date.today()
    if value == "overdue":
        return statement.where(Collaboration.next_review_date < today)
    if value == "due30":
        return statement.where(
            Collaboration.next_review_date.between(today, today + dt.timedelta(days=30))
        )
    raise ValueError(f"unknown review filter {value!r}")


def _technology_filter(statement: Select[Any], value: Any) -> Select[Any]:
    return statement.where(
        exists().where(
            and_(
                CollaborationTechnology.collaboration_id == Collaboration.id,
                CollaborationTechnology.area_code == value,
            )
        )
    )


def _partner_filter(statement: Select[Any], value: Any) -> Select[Any]:
    return statement.where(
        exists().where(
            and_(
                CollaborationPartner.collaboration_id == Collaboration.id,
                CollaborationPartner.partner_id == int(value),
            )
        )
    )


def _department_choices(session: Session) -> list[tuple[Any, str]]:
    return [
        (row.id, row.name)
        for row in session.execute(
            select(Department.id, Department.name)
            .where(Department.archived.is_(False))
            .order_by(Department.name)
        )
    ]


def _technology_choices(session: Session) -> list[tuple[Any, str]]:
    return [
        (row.code, row.name)
        for row in session.execute(
            select(TechnologyArea.code, TechnologyArea.name).order_by(TechnologyArea.sort_order)
        )
    ]


def _enum_choices(enum_class: Any) -> Any:
    return lambda _session: [(m.value, m.value.replace("_", " ").capitalize()) for m in enum_class]


SPEC = RegisterSpec(
    name="collaborations",
    title="Collaborations",
    id_expr=Collaboration.id,
    base=_base,
    audit_table="collaboration",
    archived_expr=Collaboration.archived,
    default_sort="reference",
    default_descending=True,
    columns=(
        Column("reference", "Reference", Collaboration.reference, width=13),
        Column("title", "Title", Collaboration.title, width=40),
        Column(
            "kind", "Kind", Collaboration.kind, ENUM, width=18, choices=_values(CollaborationKind)
        ),
        Column(
            "status",
            "Status",
            Collaboration.status,
            STATUS,
            width=16,
            choices=_values(CollaborationStatus),
        ),
        Column(
            "risk_level",
            "Risk",
            Collaboration.risk_level,
            RISK,
            width=10,
            choices=_values(RiskLevel),
            empty_text="Not appraised",
        ),
        Column("partners", "Partners", partner_names, width=36),
        Column("department", "Department", Department.name, width=22),
        Column("lead", "Lead", Lead.full_name, width=20, personal=True),
        # Hidden in the view; in workbooks it names the lead where two people share a name, so
        # that an exported register imports again (the importer prefers it to the name).
        Column(
            "lead_staff_number",
            "Lead staff number",
            Lead.staff_number,
            visible=False,
            width=12,
            personal=True,
        ),
        Column("start_date", "Start", Collaboration.start_date, DATE, width=11),
        Column("end_date", "End", Collaboration.end_date, DATE, width=11),
        Column("next_review_date", "Next review", Collaboration.next_review_date, DATE, width=11),
        Column(
            "funding_amount_eur", "Funding (EUR)", Collaboration.funding_amount_eur, MONEY, width=14
        ),
        Column(
            "funding_source",
            "Funding source",
            Collaboration.funding_source,
            visible=False,
            width=20,
        ),
        Column(
            "research_field",
            "Research field",
            Collaboration.research_field,
            visible=False,
            width=20,
        ),
        Column("dual_use_code", "Dual-use", Collaboration.dual_use_code, visible=False, width=8),
    ),
    # The lead's name too, accents ignored: "which projects does Okafor lead?".
    search=(Collaboration.reference, Collaboration.title, SearchTerm(_led_by_someone_like)),
    filters=(
        Filter(
            "status",
            "Status",
            lambda s, v: s.where(Collaboration.status == v),
            _enum_choices(CollaborationStatus),
        ),
        Filter(
            "kind",
            "Kind",
            lambda s, v: s.where(Collaboration.kind == v),
            _enum_choices(CollaborationKind),
        ),
        Filter(
            "risk_level",
            "Risk level",
            lambda s, v: (
                s.where(Collaboration.risk_level.is_(None))
                if v == "none"
                else s.where(Collaboration.risk_level == v)
            ),
            lambda _s: [*_enum_choices(RiskLevel)(_s), ("none", "Not appraised")],
        ),
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(Collaboration.department_id == int(v)),
            _department_choices,
        ),
        Filter("technology", "Technology area", _technology_filter, _technology_choices),
        Filter(
            "review",
            "Review",
            _review_filter,
            lambda _s: [("overdue", "Overdue"), ("due30", "Due in 30 days")],
        ),
        Filter("partner", "Partner", _partner_filter),
    ),
)
