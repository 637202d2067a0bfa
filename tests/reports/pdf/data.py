"""Synthetic register rows for the PDF tests (real rows through the ORM, audited like any other)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import (
    Appraisal,
    Collaboration,
    CollaborationPartner,
    CollaborationTechnology,
    Department,
    MitigationMeasure,
    Partner,
)
from rsdesk.models.enums import (
    AppraisalDecision,
    AppraisalStatus,
    CollaborationKind,
    CollaborationStatus,
    MeasureStatus,
    PartnerKind,
    RiskLevel,
)

#: Partner names in every script the reports must print, with the country they are counted under.
WORLD_NAMES = [
    ("Université de Genève – Département d’Économie", "CH"),
    ("Εθνικό Μετσόβιο Πολυτεχνείο", "GR"),
    ("Московский физико-технический институт", "RU"),
    ("جامعة القاهرة", "EG"),
    ("清华大学", "CN"),
    ("東京大学", "JP"),
    ("서울대학교", "KR"),
    ("Łódź University of Technology", "PL"),
]
LEVELS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH]
DECISIONS = [
    AppraisalDecision.APPROVE,
    AppraisalDecision.APPROVE_WITH_CONDITIONS,
    AppraisalDecision.APPROVE_WITH_CONDITIONS,
    AppraisalDecision.ESCALATE,
]


def add_register(
    session: Session, count: int, year: int = 2025, title_prefix: str = "Study"
) -> list[int]:
    """``count`` collaborations started in ``year``, each with a partner and a signed-off appraisal.

    Levels cycle low, medium, high, very high; every other high/very-high has an open measure due
    in March of ``year`` (overdue by the year's end) and one done.
    """
    departments = []
    for name in ("Physics", "Chemistry", "Computer Science"):
        full = f"Department of {name}"
        found = session.scalar(select(Department).where(Department.name == full))
        departments.append(found or Department(name=full))
    session.add_all(departments)
    partners = [
        Partner(name=name, kind=PartnerKind.UNIVERSITY, country=country)
        for name, country in WORLD_NAMES
    ]
    session.add_all(partners)
    session.flush()
    kinds = list(CollaborationKind)
    today = dt.date.today()
    collaborations = []
    for index in range(count):
        level = LEVELS[index % 4]
        start = dt.date(year, 1 + index % 12, 1 + index % 28)
        if start > today:  # nothing is signed off in the future
            start = dt.date(year, 1 + index % today.month, 1 + index % min(28, today.day))
        review = (
            dt.date(year, 6, 30)
            if level in (RiskLevel.HIGH, RiskLevel.VERY_HIGH)
            else dt.date(year + 2, 1, 1)
        )
        collaboration = Collaboration(
            reference=f"C-{year}-{index + 1:05d}",
            title=f"{title_prefix} {index + 1} on "
            f"{['quantum sensing', 'battery materials', 'AI safety'][index % 3]}",
            kind=kinds[index % len(kinds)],
            status=CollaborationStatus.ACTIVE,
            department_id=departments[index % 3].id,
            start_date=start,
            next_review_date=review,
            risk_level=level,
            funding_amount_eur=10_000 * (index + 1),
        )
        collaboration.partner_links.append(
            CollaborationPartner(partner_id=partners[index % len(partners)].id)
        )
        collaboration.technology_links.append(
            CollaborationTechnology(
                area_code=["quantum", "ai", "semiconductors", "biotech"][index % 4]
            )
        )
        collaborations.append(collaboration)
    session.add_all(collaborations)
    session.flush()
    appraisals = []
    for index, collaboration in enumerate(collaborations):
        level = LEVELS[index % 4]
        start = collaboration.start_date
        appraisals.append(
            Appraisal(
                collaboration_id=collaboration.id,
                status=AppraisalStatus.SIGNED_OFF,
                model_id="rsdesk-default",
                model_version="1.0",
                answers={},
                justifications={},
                result={"level": level.value},
                risk_level=level,
                score=10 * (level.rank + 1),
                decision=DECISIONS[level.rank],
                signed_off_by="Officer Ana Müller",
                signed_off_at=dt.datetime(year, start.month, start.day, 12, 0),
                next_review_date=collaboration.next_review_date,
            )
        )
    session.add_all(appraisals)
    session.flush()
    measures = []
    for index, (collaboration, appraisal) in enumerate(zip(collaborations, appraisals)):
        if LEVELS[index % 4].rank < 2:
            continue
        measures.append(
            MitigationMeasure(
                collaboration_id=collaboration.id,
                appraisal_id=appraisal.id,
                description="Pre-publication review of sensitive results",
                due_date=dt.date(year, 3, 31),
                status=MeasureStatus.PLANNED,
            )
        )
        measures.append(
            MitigationMeasure(
                collaboration_id=collaboration.id,
                appraisal_id=appraisal.id,
                description="Export licence check",
                due_date=dt.date(year, 2, 28),
                status=MeasureStatus.DONE,
                completed_on=dt.date(year, 2, 20),
            )
        )
    session.add_all(measures)
    session.flush()
    ids = [c.id for c in collaborations]
    return ids
