"""The partner editor's Screening and History tabs, as an auditor reads them: a reopened hit
with its earlier verdict, scores in percent, verdicts and other names in the history, and
columns wide enough for what they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services.screening.two_versions import OFFICER, dismissed_then_reopened

pytestmark = pytest.mark.ui


def _open_editor(qtbot, main_window, partner_id):
    view = main_window.show_view("partners")
    view.open_record(partner_id)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isEnabled(), timeout=10_000)
    return view.editor


def test_screening_tab_shows_the_reopened_hit_with_its_earlier_verdict(
    qtbot, db, main_window, tmp_path: Path
) -> None:
    vega = dismissed_then_reopened(db, tmp_path)
    dialog = _open_editor(qtbot, main_window, vega)
    hits = dialog.hits_list
    assert hits.topLevelItemCount() == 1
    hit = hits.topLevelItem(0)
    texts = [hit.text(c) for c in range(hits.columnCount())]
    assert texts == [
        "Named organisations",
        "2",
        "Vega Optics Ltd",
        "Vega Optics",
        "100",
        "Pending (reopened)",
    ]
    note = hit.child(0).text(0)
    assert "list entry changed in v2" in note
    assert f"Was False positive ({OFFICER}, " in note
    assert "v1): Different Vega, Jena optics" in note
    assert hit.child(0).toolTip(0) == note
    metrics = hits.fontMetrics()
    for column in (2, 3):  # Our name, Listed as: whole
        assert hits.columnWidth(column) >= metrics.horizontalAdvance(hit.text(column))
    dialog.reject()


def test_history_tab_shows_verdicts_and_whole_dates(qtbot, db, main_window, tmp_path) -> None:
    vega = dismissed_then_reopened(db, tmp_path)
    dialog = _open_editor(qtbot, main_window, vega)
    history = dialog.history_list
    rows = [history.topLevelItem(i) for i in range(history.topLevelItemCount())]
    verdicts = [r for r in rows if r.text(2).startswith("Verdict on hit")]
    assert len(verdicts) == 1
    assert verdicts[0].text(1) == OFFICER
    assert verdicts[0].text(3) == "False positive"
    children = {
        verdicts[0].child(i).text(2): verdicts[0].child(i).text(3)
        for i in range(verdicts[0].childCount())
    }
    assert children["Note"] == "\u2014 \u2192 Different Vega, Jena optics"
    assert children["Verdict"] == "Pending \u2192 False positive"
    metrics = history.fontMetrics()
    assert history.columnWidth(0) >= metrics.horizontalAdvance(rows[0].text(0))
    dialog.reject()
