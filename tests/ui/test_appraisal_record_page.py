"""The wizard's read-only record of a sign-off dated to an earlier meeting: the decision's date
without a made-up time, and who recorded it in rsdesk, when, under which audit entry."""

from __future__ import annotations

import datetime as dt

import pytest

from rsdesk.services.appraisal import workflow
from rsdesk.ui.wizard.appraisal import AppraisalWizard, load_appraisal
from tests.reports.pdf.test_appraisal_sign_off_recorded import (
    MEETING,
    _signed_off_after_the_meeting,
)

pytestmark = pytest.mark.ui


def test_the_record_page_says_who_recorded_a_past_sign_off(qtbot, context, db) -> None:
    appraisal_id = _signed_off_after_the_meeting(db, MEETING)
    with db.read() as session:
        state = load_appraisal(session, appraisal_id, db.actor)
        recorded = workflow.sign_off_entry(session, appraisal_id)
    assert recorded is not None
    assert state.appraisal.sign_off_recorded == recorded
    wizard = AppraisalWizard(context, state)
    qtbot.addWidget(wizard)
    text = wizard.record_page.text.toPlainText()
    assert f"Date\n{MEETING:%Y-%m-%d}\n" in text or f"Date {MEETING:%Y-%m-%d}" in text
    assert f"{MEETING:%Y-%m-%d} 00:00" not in text
    assert (
        f"Recorded in rsdesk by {db.actor} on {recorded.recorded_at:%d %B %Y} at "
        f"{recorded.recorded_at:%H:%M} UTC (audit entry {recorded.entry_id})." in text
    )
    assert recorded.recorded_at.date() >= dt.date.today() - dt.timedelta(days=1)
    wizard.dirty = False
    wizard.hide()


def test_a_re_appraisal_lists_the_earlier_sign_off_with_who_recorded_it(qtbot, context, db) -> None:
    from rsdesk.ui.wizard.appraisal import load_for_collaboration

    appraisal_id = _signed_off_after_the_meeting(db, MEETING)
    with db.unit_of_work() as session:
        draft = workflow.reappraise(
            session, workflow.get_appraisal(session, appraisal_id).collaboration_id
        )
    with db.read() as session:
        state = load_for_collaboration(session, draft.collaboration_id, db.actor)
        recorded = workflow.sign_off_entry(session, appraisal_id)
    assert recorded is not None
    wizard = AppraisalWizard(context, state)
    qtbot.addWidget(wizard)
    text = " ".join(wizard.start_page.text.toPlainText().split())
    assert "Earlier appraisals" in text
    assert f"Prof. Dean Example, {MEETING:%Y-%m-%d}" in text
    assert recorded.text in text
    wizard.dirty = False
    wizard.hide()
