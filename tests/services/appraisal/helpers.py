"""Small builders for appraisal tests: real rows in a real database, and answer sets."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from rsdesk.models import Collaboration, CollaborationPartner, Partner, StaffMember
from rsdesk.models.enums import CollaborationKind, PartnerKind, RoleCategory
from rsdesk.services.appraisal.model import AppraisalModel

_numbers = itertools.count(1)


def make_partner(
    session: Session,
    name: str,
    kind: PartnerKind = PartnerKind.UNIVERSITY,
    country: str | None = None,
) -> Partner:
    partner = Partner(name=name, kind=kind, country=country)
    session.add(partner)
    session.flush()
    return partner


def make_collaboration(
    session: Session,
    title: str = "Joint work on catalysis",
    kind: CollaborationKind = CollaborationKind.JOINT_RESEARCH,
    partners: list[Partner] = (),  # type: ignore[assignment]
    **values: object,
) -> Collaboration:
    collaboration = Collaboration(
        reference=f"C-2026-{next(_numbers):05d}", title=title, kind=kind, **values
    )
    session.add(collaboration)
    session.flush()
    for partner in partners:
        session.add(CollaborationPartner(collaboration_id=collaboration.id, partner_id=partner.id))
    session.flush()
    return collaboration


def make_staff(session: Session, name: str = "Alex Owner") -> StaffMember:
    staff = StaffMember(
        staff_number=f"S{next(_numbers):05d}", full_name=name, role_category=RoleCategory.MANAGER
    )
    session.add(staff)
    session.flush()
    return staff


def benign_answers(model: AppraisalModel, *, safeguards: bool = True) -> dict[str, str]:
    """For every question the known answer that adds the least risk (or removes the most).

    With ``safeguards=False`` every safeguard question is answered "no" (nothing in place yet).
    """
    answers = {}
    for question in model.questions:
        if question.reduces and not safeguards:
            answers[question.id] = "no"
            continue
        known = [o for o in question.options if not o.unknown]
        answers[question.id] = min(known, key=lambda o: o.weight).id
    return answers


def justify_all(answers: dict[str, str]) -> dict[str, str]:
    return {question_id: "Discussed with the PI; see the file note." for question_id in answers}
