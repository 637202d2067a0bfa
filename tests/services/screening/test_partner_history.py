"""What an auditor reads about one partner: its other names coming and going and the verdicts
on its hits in its history, and for a hit pending again, the verdict it had before."""

from __future__ import annotations

from pathlib import Path

from rsdesk.db import Database
from rsdesk.models.enums import ScreeningVerdict
from rsdesk.services import audit_history
from rsdesk.services import partners as partner_service
from rsdesk.services.partners import OtherName, PartnerInput
from rsdesk.services.screening import reopened, workflow
from tests.services.screening.two_versions import OFFICER, dismissed_then_reopened


def test_history_names_other_names_added_and_removed_and_the_verdicts(
    db: Database, tmp_path: Path
) -> None:
    vega = dismissed_then_reopened(db, tmp_path)
    with db.unit_of_work() as session:
        partner_service.update(
            session,
            vega,
            PartnerInput("Vega Optics Ltd", "university", other_names=(OtherName("VOL"),)),
        )
    with db.unit_of_work() as session:
        partner_service.update(session, vega, PartnerInput("Vega Optics Ltd", "university"))
    with db.read() as session:
        history = audit_history.partner_history(session, vega)
    assert [e.at for e in history] == sorted(e.at for e in history)
    names = [(e.subject, e.what) for e in history if e.subject.startswith("Other name")]
    assert names == [("Other name VOL", "added"), ("Other name VOL", "removed")]
    (verdict,) = [e for e in history if e.action == "verdict"]
    assert verdict.actor == OFFICER
    assert verdict.subject == "Vega Optics (Named organisations v1)"
    assert verdict.change("verdict").new == "False positive"
    assert verdict.change("verdict_note").new == "Different Vega, Jena optics"
    assert verdict.change("decided_by").new == OFFICER
    # the new pending hit of version 2 is not a verdict
    assert all("v2" not in e.subject for e in history if e.action.startswith("verdict"))


def test_a_hit_reopened_by_a_changed_entry_names_the_earlier_verdict(
    db: Database, tmp_path: Path
) -> None:
    vega = dismissed_then_reopened(db, tmp_path)
    with db.read() as session:
        (hit,) = workflow.results_for_partner(session, vega)
        earlier = reopened.earlier_verdicts(session, vega)
    assert hit.verdict == ScreeningVerdict.PENDING
    prior = earlier[hit.id]
    assert prior.verdict == ScreeningVerdict.FALSE_POSITIVE
    assert (prior.decided_by, prior.note) == (OFFICER, "Different Vega, Jena optics")
    assert (prior.decided_on_version, prior.reopened_on_version) == (1, 2)
    assert prior.decided_at is not None


def test_a_verdict_carried_over_is_not_a_reopened_hit(db: Database, tmp_path: Path) -> None:
    vega = dismissed_then_reopened(db, tmp_path)
    with db.read() as session:
        (hit,) = workflow.results_for_partner(session, vega)
    with db.unit_of_work() as session:
        workflow.decide(session, hit.id, "true_match", "Same body after all")
    with db.read() as session:
        assert reopened.earlier_verdicts(session, vega) == {}
