"""A renewal period added to a rule (or shortened) reaches back into checks completed years
ago: the next open reopens them due on that day, not on renewal dates years past, so neither
the overdue figures nor past years' annual reports are rewritten; the rules editor says first
how many checks the edit will reopen (``onboarding.renewal_forecast``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database, open_database
from rsdesk.models import OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import onboarding
from rsdesk.services.errors import ValidationError
from rsdesk.services.reports import figures
from rsdesk.services.training import add_months

from .helpers import person

CV_CHECK = "cv_reference_check"
CV_RULE_HEADER = 'code = "cv_reference_check"\ntitle = "CV and reference verification"\n'
TODAY = dt.date.today()


def _rules_renewing_cv_checks(months: int) -> str:
    text = onboarding.shipped_rules_text()
    assert CV_RULE_HEADER in text
    return text.replace(CV_RULE_HEADER, f"{CV_RULE_HEADER}renew_months = {months}\n")


def _cv_check_completed(database: Database, completed_on: dt.date) -> int:
    with database.unit_of_work() as session:
        staff_id = person(session, role_category="researcher", start_date=dt.date(2015, 3, 2))
        check_id = session.scalar(
            select(OnboardingCheck.id).where(
                OnboardingCheck.staff_id == staff_id, OnboardingCheck.check_code == CV_CHECK
            )
        )
        assert check_id is not None
        onboarding.complete(session, check_id, on=completed_on, evidence="references called")
    return check_id


def _check(database: Database, check_id: int) -> OnboardingCheck:
    with database.read() as session:
        check = session.get(OnboardingCheck, check_id)
        assert check is not None
        return check


def test_a_reopened_check_keeps_a_renewal_date_up_to_30_days_back_else_is_due_that_day():
    reopened_on = dt.date(2026, 11, 27)
    limit = onboarding.RENEWAL_DUE_DATE_REACHES_BACK
    assert limit == dt.timedelta(days=30)
    for renewal in (reopened_on, reopened_on - dt.timedelta(days=1), reopened_on - limit):
        assert onboarding.reopened_due_date(renewal, reopened_on) == renewal
    for renewal in (reopened_on - limit - dt.timedelta(days=1), dt.date(2016, 4, 3)):
        assert onboarding.reopened_due_date(renewal, reopened_on) == reopened_on


def test_a_renewal_period_added_years_later_reopens_old_checks_due_today(any_db):
    long_ago = _cv_check_completed(any_db, dt.date(2016, 3, 20))
    # A renewal date 20 days back: an office that did not open rsdesk for a few weeks.
    recent_renewal = TODAY - dt.timedelta(days=20)
    recent = _cv_check_completed(any_db, add_months(recent_renewal, -24))
    not_due = _cv_check_completed(any_db, add_months(TODAY, -23))
    with any_db.read() as session:
        years_before = {
            year: figures.year_figures(session, year) for year in (2016, 2018, TODAY.year - 1)
        }
    with any_db.unit_of_work() as session:
        onboarding.save_rules_text(session, _rules_renewing_cv_checks(24))

    open_database(any_db.url).dispose()

    reopened = _check(any_db, long_ago)
    assert reopened.status == CheckStatus.OPEN
    assert reopened.due_date == TODAY
    assert reopened.evidence_note == "Renewal of 2016-03-20"
    reopened_recently_due = _check(any_db, recent)
    assert reopened_recently_due.status == CheckStatus.OPEN
    assert reopened_recently_due.due_date == add_months(add_months(recent_renewal, -24), 24)
    assert _check(any_db, not_due).status == CheckStatus.DONE
    with any_db.read() as session:
        overdue_cv_checks = [
            item.check_id
            for item in onboarding.overdue_checks(session)
            if item.check_code == CV_CHECK
        ]
        assert overdue_cv_checks == [recent]
        # 2018, when the 2016 completion was due again, still reads as it did.
        years_after = {year: figures.year_figures(session, year) for year in (2018, TODAY.year - 1)}
    for year, after in years_after.items():
        assert (after.onboarding_due, after.onboarding_completed) == (
            years_before[year].onboarding_due,
            years_before[year].onboarding_completed,
        )


def test_the_forecast_counts_the_checks_an_added_renewal_period_reopens(any_db):
    for year in (2016, 2017, 2019):
        _cv_check_completed(any_db, dt.date(year, 5, 2))
    _cv_check_completed(any_db, add_months(TODAY, -3))
    with any_db.read() as session:
        forecast = onboarding.renewal_forecast(session, _rules_renewing_cv_checks(24))
        assert forecast.renewing_sooner == ("CV and reference verification",)
        assert forecast.reopened == 3
        # The shipped rules change no renewal period: nothing to tell.
        shipped = onboarding.renewal_forecast(session, onboarding.shipped_rules_text())
        assert shipped == onboarding.RenewalForecast((), 0)
    with any_db.unit_of_work() as session:
        onboarding.save_rules_text(session, _rules_renewing_cv_checks(24))
    with any_db.read() as session:
        # Saved: the same rules again add nothing; a longer period is not sooner either.
        assert onboarding.renewal_forecast(session, _rules_renewing_cv_checks(24)).reopened == 0
        assert onboarding.renewal_forecast(session, _rules_renewing_cv_checks(36)).reopened == 0
        shorter = onboarding.renewal_forecast(session, _rules_renewing_cv_checks(2))
        assert shorter.renewing_sooner == ("CV and reference verification",)
        assert shorter.reopened == 4
    open_database(any_db.url).dispose()
    with any_db.read() as session:
        open_cv_checks = session.scalar(
            select(func.count(OnboardingCheck.id)).where(
                OnboardingCheck.check_code == CV_CHECK,
                OnboardingCheck.status == CheckStatus.OPEN,
            )
        )
    assert open_cv_checks == forecast.reopened


def test_the_forecast_refuses_rules_that_saving_would_refuse(db):
    with db.read() as session, pytest.raises(ValidationError, match="renew_months"):
        onboarding.renewal_forecast(session, _rules_renewing_cv_checks(0))
