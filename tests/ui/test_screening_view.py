"""The Screening view: load a list in the background, see the hits, give a verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

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
    qtbot.waitUntil(lambda: "1 confirmed match." in view.lists_label.text(), timeout=10_000)
    with db.read() as session:
        confirmed = workflow.pending_hits(session)
        assert len(confirmed) == 1
        counts = workflow.dashboard_counts(session)
        assert counts.confirmed_matches == 1
        rows = [r for p in (1, 2, 3) for r in workflow.results_for_partner(session, p)]
        assert {r.verdict for r in rows} == {ScreeningVerdict.TRUE_MATCH, ScreeningVerdict.PENDING}
    view.grab().save(str(tmp_path / "screening.png"))
    assert (tmp_path / "screening.png").stat().st_size > 0


def _view_with_two_hits(qtbot, context, db):
    from rsdesk.ui.views.screening import ScreeningView

    with db.unit_of_work() as session:
        session.add(Partner(name="Harbin Institute of Technology", kind=PartnerKind.UNIVERSITY))
        session.add(Partner(name="Beijing Inst. of Technology", kind=PartnerKind.UNIVERSITY))
    view = ScreeningView(context)
    qtbot.addWidget(view)
    view.resize(1400, 600)
    view.show()
    view.load_file(FIXTURES / "us_csl.csv")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=20_000)
    view.table.selectRow(0)
    return view


def _verdict_in_db(db, result_id):
    from rsdesk.models import ScreeningResult

    with db.read() as session:
        result = session.get(ScreeningResult, result_id)
        return result.verdict, result.verdict_note


@pytest.mark.ui
def test_a_decided_hit_says_so_and_can_be_changed_or_set_back(qtbot, context, db, tmp_path):
    view = _view_with_two_hits(qtbot, context, db)
    result_id = view.current_id()
    assert view.decision_label.text() == "Pending review: no verdict yet."
    assert view.true_button.text() == "True &match…"
    assert not view.reopen_button.isEnabled()
    messages: list[str] = []
    context.signals.status_message.connect(messages.append)

    view.decide(result_id, "true_match", "Same body, same address")
    qtbot.waitUntil(
        lambda: "Confirmed as a true match" in view.decision_label.text(), timeout=10_000
    )
    assert messages == ["Verdict saved: true match"]
    assert view.decision_label.text().endswith(": Same body, same address")
    assert " on 20" in view.decision_label.text()
    assert not view.true_button.isEnabled()  # already a true match
    assert view.false_button.isEnabled()  # overruling stays possible
    assert view.false_button.text() == "Change to false &positive…"
    assert view.reopen_button.isEnabled()
    qtbot.wait(50)  # the layout follows the longer button texts
    view.grab().save(str(tmp_path / "decided.png"))

    view.reopen(result_id, "true_match")
    qtbot.waitUntil(lambda: "Pending review" in view.decision_label.text(), timeout=10_000)
    assert messages[-1] == "Hit set back to pending review"
    assert _verdict_in_db(db, result_id) == (ScreeningVerdict.PENDING, None)
    assert view.true_button.text() == "True &match…"


@pytest.mark.ui
def test_set_back_to_pending_does_not_undo_a_verdict_given_meanwhile(qtbot, context, db):
    from PySide6.QtWidgets import QMessageBox

    view = _view_with_two_hits(qtbot, context, db)
    result_id = view.current_id()
    with db.unit_of_work() as session:
        workflow.decide(session, result_id, "false_positive", "Other city", decided_by="colleague")
    shown: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append(widget.text())
                widget.accept()

    from PySide6.QtWidgets import QApplication

    timer = QTimer(view)
    timer.timeout.connect(answer)
    timer.start(50)
    view.reopen(result_id, "pending")  # what this officer's list still showed
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    timer.stop()
    assert _verdict_in_db(db, result_id) == (ScreeningVerdict.FALSE_POSITIVE, "Other city")


@pytest.mark.ui
def test_a_blank_reason_keeps_the_prompt_open_with_the_reason_beside_the_field(qtbot, context, db):
    from PySide6.QtWidgets import QApplication, QInputDialog

    view = _view_with_two_hits(qtbot, context, db)
    result_id = view.current_id()
    prompts: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QInputDialog) and widget.isVisible():
                prompts.append(widget.labelText())
                widget.setTextValue("   " if len(prompts) == 1 else "Different address")
                widget.accept()

    timer = QTimer(view)
    timer.timeout.connect(answer)
    timer.start(50)
    view._mark_false()
    qtbot.waitUntil(lambda: len(prompts) == 2, timeout=10_000)
    qtbot.waitUntil(
        lambda: _verdict_in_db(db, result_id)[0] == ScreeningVerdict.FALSE_POSITIVE,
        timeout=10_000,
    )
    timer.stop()
    assert prompts[0] == "Why? (kept in the audit trail)"
    assert prompts[1].startswith("Say why (a note is required for a verdict)")
    assert _verdict_in_db(db, result_id)[1] == "Different address"


@pytest.mark.ui
def test_the_verdict_column_is_in_sight_at_1280_px(qtbot, context, db):
    view = _view_with_two_hits(qtbot, context, db)
    view.resize(1280 - 220, 600)  # the window less the navigation bar
    header = view.table.horizontalHeader()
    verdict = view.model.column_keys().index("verdict")
    right_edge = header.sectionViewportPosition(verdict) + header.sectionSize(verdict)
    assert right_edge <= view.table.viewport().width()
    view.reset_columns()
    assert header.visualIndex(verdict) == 3
