"""The rules editor asks before saving rules that reopen completed checks: a renewal period
added to the CV check reopened 28 checks at the next open without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from rsdesk.models import OnboardingCheck
from rsdesk.services import onboarding
from rsdesk.ui.dialogs import people_rules_dialog
from rsdesk.ui.dialogs.people_rules_dialog import PeopleRulesDialog
from tests.services.people.helpers import person

CV_RULE_HEADER = 'code = "cv_reference_check"\ntitle = "CV and reference verification"\n'


@pytest.fixture
def old_cv_checks(db) -> int:
    """Three researchers whose CVs were verified in 2016-2018."""
    with db.unit_of_work() as session:
        for year in (2016, 2017, 2018):
            staff_id = person(session, start_date=dt.date(year, 3, 1))
            check_id = session.scalar(
                select(OnboardingCheck.id).where(
                    OnboardingCheck.staff_id == staff_id,
                    OnboardingCheck.check_code == "cv_reference_check",
                )
            )
            assert check_id is not None
            onboarding.complete(session, check_id, on=dt.date(year, 3, 10))
    return 3


def _stored_cv_renewal(db) -> int | None:
    with db.read() as session:
        return onboarding.load_rules(session).by_code()["cv_reference_check"].renew_months


def test_saving_a_new_renewal_period_says_how_many_checks_reopen_and_asks(
    qtbot, context, db, old_cv_checks, monkeypatch
):
    questions: list[onboarding.RenewalForecast] = []
    answers = [False, True]

    def answer(_parent, forecast):
        questions.append(forecast)
        return answers.pop(0)

    monkeypatch.setattr(people_rules_dialog, "ask_to_reopen", answer)
    dialog = PeopleRulesDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded)
    intro = dialog.findChildren(type(dialog.error_label))[0].text()
    assert "renewal period" in intro
    assert "already completed" in intro
    text = dialog.rules.toPlainText()
    dialog.rules.setPlainText(text.replace(CV_RULE_HEADER, CV_RULE_HEADER + "renew_months = 24\n"))

    dialog.accept()  # answered No: nothing stored, the dialog stays open with the edit
    qtbot.waitUntil(lambda: len(questions) == 1)
    context.ops.wait()
    assert questions[0].reopened == old_cv_checks
    assert questions[0].renewing_sooner == ("CV and reference verification",)
    assert dialog.isVisible()
    assert _stored_cv_renewal(db) is None

    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.accept()  # answered Yes
    assert _stored_cv_renewal(db) == 24


def test_the_question_names_the_count_the_rules_and_the_due_day():
    question = people_rules_dialog.reopening_question(
        onboarding.RenewalForecast(("CV and reference verification",), 28)
    )
    assert "renewal of CV and reference verification" in question
    assert "28 completed checks will be reopened" in question
    assert "more than 30 days past are due on that day" in question


def test_rules_that_reopen_nothing_are_saved_without_a_question(
    qtbot, context, db, old_cv_checks, monkeypatch
):
    monkeypatch.setattr(
        people_rules_dialog, "ask_to_reopen", lambda *_: pytest.fail("asked for nothing")
    )
    dialog = PeopleRulesDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    # A longer declaration renewal reopens nothing that the current rules would not.
    dialog.rules.setPlainText(
        dialog.rules.toPlainText().replace("renew_months = 12", "renew_months = 24")
    )
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.accept()
    with db.read() as session:
        assert onboarding.load_rules(session).by_code()["interests_declaration"].renew_months == 24


def test_invalid_rules_show_the_error_before_any_question(qtbot, context, db, monkeypatch):
    monkeypatch.setattr(
        people_rules_dialog, "ask_to_reopen", lambda *_: pytest.fail("asked about bad rules")
    )
    dialog = PeopleRulesDialog(context)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    dialog.rules.setPlainText(
        dialog.rules.toPlainText().replace(CV_RULE_HEADER, CV_RULE_HEADER + "renew_months = 0\n")
    )
    dialog.accept()
    qtbot.waitUntil(lambda: "renew_months" in dialog.error_label.text())
    assert _stored_cv_renewal(db) is None
