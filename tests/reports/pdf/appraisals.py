"""A real appraisal through the appraisal workflow (draft, answers, sign-off), for the PDF tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from rsdesk.models import Collaboration, CollaborationPartner, Partner
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.services.appraisal import workflow
from rsdesk.services.appraisal.workflow import MeasurePlan, SignOff
from tests.services.appraisal.helpers import make_staff

#: A high-risk case: sensitive technology, a partner with military links, some safeguards.
ANSWERS = {
    "research_critical_technology": "most_sensitive",
    "research_dual_use": "possible",
    "research_military_use": "indirect",
    "partner_military_links": "direct",
    "partner_ownership": "unknown",
    "form_transfers": "data",
    "form_access": "lab",
    "legal_compelled_disclosure": "broad",
    "safeguard_agreement": "yes",
    "safeguard_team_trained": "partial",
}
JUSTIFICATION = "Partner lab <b>funded</b> by a defence ministry & <link>agency</link>"


def signed_off_appraisal(
    session: Session, title: str = "Quantum sensing <b>pilot</b> & partners"
) -> int:
    partner = Partner(
        name="Московский физико-технический институт", kind=PartnerKind.UNIVERSITY, country="RU"
    )
    collaboration = Collaboration(
        reference="C-2026-00777", title=title, kind=CollaborationKind.JOINT_RESEARCH
    )
    collaboration.partner_links.append(CollaborationPartner(partner=partner))
    session.add(collaboration)
    session.flush()
    draft = workflow.create_draft(session, collaboration.id)
    justifications = {question: JUSTIFICATION for question in ANSWERS}
    workflow.save_draft(session, draft.id, ANSWERS, justifications)
    view = workflow.sign_off(
        session,
        draft.id,
        SignOff(
            decision="approve_with_conditions",
            signed_by="Zoë Ødegård",
            role="Senior research-security officer",
            signed_on=dt.date.today(),
            note="Approved with an export check first",
            measures=(
                MeasurePlan(
                    description="Export licence check before any data leaves",
                    owner_staff_id=make_staff(session, "Åsa Berg").id,
                    due_date=dt.date.today() + dt.timedelta(days=30),
                ),
            ),
        ),
    )
    return view.id
