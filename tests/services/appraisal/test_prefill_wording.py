"""The wizard's pre-fill notes are read by officers: they name levels as people see them."""

from __future__ import annotations

from rsdesk.models import Collaboration
from rsdesk.models.enums import CollaborationKind
from rsdesk.services import assets
from rsdesk.services.appraisal import workflow
from rsdesk.services.assets import AssetInput


def test_partner_access_names_the_assets_sensitivity_level_not_its_code(db):
    with db.unit_of_work() as session:
        collaboration = Collaboration(
            reference="C-1", title="Joint lab", kind=CollaborationKind.JOINT_RESEARCH
        )
        session.add(collaboration)
        session.flush()
        lab = assets.create_asset(
            session, AssetInput("Quantum lab", "facility", "highly_sensitive")
        )
        assets.link_collaboration(session, collaboration.id, lab.id, partner_access=True)
        prefill = workflow.prefill_answers(session, collaboration.id)
    assert prefill["form_access"].note == "Partner access to assets: Quantum lab (highly sensitive)"
