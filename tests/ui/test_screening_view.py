"""The Screening view: load a list in the background, see the hits, give a verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from rsdesk.models import Partner
from rsdesk.models.enums import PartnerKind, ScreeningVerdict
from rsdesk.services.screening import workflow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "screening"


@pytest.mark.ui
def test_load_a_list_and_mark_a_hit(qtbot, context, db, qtmodeltester, tmp_path):
    from rsdesk.ui.views.screening import ScreeningView

    with db.unit_of_work() as session:
        session.add(Partner(name="Harbin Institute of Technology", kind=PartnerKind.UNIVERSITY))
        session.add(Partner(name="Beijing Inst. of Technology", kind=PartnerKind.UNIVERSITY))
        session.add(Partner(name="University of Vienna", kind=PartnerKind.UNIVERSITY))
    view = ScreeningView(context)
    qtbot.addWidget(view)
    view.resize(1300, 500)
    view.show()
    qtbot.waitUntil(lambda: "No lists loaded" in view.lists_label.text())
    assert not view.true_button.isEnabled()

    view.load_file(FIXTURES / "us_csl.csv")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=20_000)
    qtbot.waitUntil(lambda: "2 hits to review" in view.lists_label.text())
    qtmodeltester.check(view.model)
    assert "US Consolidated Screening List (v1, 4)" in view.lists_label.text()

    view.table.selectRow(0)
    assert view.true_button.isEnabled()
    assert view.false_button.isEnabled()
    result_id = view.current_id()
    assert result_id is not None
    view.decide(result_id, "true_match", "Same body, same address")
    qtbot.waitUntil(lambda: "1 confirmed matches" in view.lists_label.text(), timeout=10_000)
    with db.read() as session:
        confirmed = workflow.pending_hits(session)
        assert len(confirmed) == 1
        counts = workflow.dashboard_counts(session)
        assert counts.confirmed_matches == 1
        rows = [r for p in (1, 2, 3) for r in workflow.results_for_partner(session, p)]
        assert {r.verdict for r in rows} == {ScreeningVerdict.TRUE_MATCH, ScreeningVerdict.PENDING}
    view.grab().save(str(tmp_path / "screening.png"))
    assert (tmp_path / "screening.png").stat().st_size > 0
