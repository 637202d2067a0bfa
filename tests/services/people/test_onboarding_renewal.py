"""Onboarding checks renewed periodically (the yearly declaration of outside interests): a
completed check whose renewal date has come is reopened when the database is opened, due on
that date, with an audit entry naming the renewal; nothing else is touched."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from rsdesk.cli import main
from rsdesk.db import Database, open_database
from rsdesk.models import AuditEntry, OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import audit, dashboard, onboarding
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import ValidationError
from rsdesk.services.training import add_months

from .helpers import person

DECLARATION = "interests_declaration"
TODAY = dt.date.today()


def _declaration_completed(
    database: Database, months_ago: int, action: str = "complete", days_earlier: int = 0
) -> int:
    """A researcher whose declaration was completed (or waived...) ``months_ago`` months and
    ``days_earlier`` days ago."""
    on = add_months(TODAY, -months_ago) - dt.timedelta(days=days_earlier)
    with database.unit_of_work() as session:
        staff_id = person(session, role_category="researcher", start_date=dt.date(2020, 1, 6))
        check_id = session.scalar(
            select(OnboardingCheck.id).where(
                OnboardingCheck.staff_id == staff_id, OnboardingCheck.check_code == DECLARATION
            )
        )
        assert check_id is not None
        if action == "complete":
            onboarding.complete(session, check_id, by="officer.ann", on=on, evidence="signed form")
        elif action == "waive":
            onboarding.waive(session, check_id, "declared at the partner institution", on=on)
        else:
            onboarding.mark_not_applicable(session, check_id, on=on)
    return check_id


def _reopen_database(database: Database) -> None:
    """What starting the app or any command does: open the database."""
    open_database(database.url).dispose()


def _check(database: Database, check_id: int) -> OnboardingCheck:
    with database.read() as session:
        check = session.get(OnboardingCheck, check_id)
        assert check is not None
        return check


def _renewal_entries(database: Database, check_id: int) -> list[AuditEntry]:
    with database.read() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.table_name == "onboarding_check",
                    AuditEntry.record_id == check_id,
                    AuditEntry.actor.startswith(onboarding.RENEWAL_ACTOR),
                )
                .order_by(AuditEntry.id)
            )
        )


def test_shipped_rules_renew_the_declaration_yearly_and_nothing_else():
    rules = onboarding.load_rules_from_file().by_code()
    assert rules[DECLARATION].renew_months == 12
    assert [code for code, rule in rules.items() if rule.renew_months] == [DECLARATION]


def test_a_declaration_completed_over_a_year_ago_is_reopened_on_open_once(any_db):
    # Due again 20 days ago: within RENEWAL_DUE_DATE_REACHES_BACK, so due on its renewal date.
    overdue_id = _declaration_completed(any_db, 12, days_earlier=20)
    recent_id = _declaration_completed(any_db, 11)
    waived_id = _declaration_completed(any_db, 13, "waive")
    not_applicable_id = _declaration_completed(any_db, 13, "not_applicable")
    completed_on = add_months(TODAY, -12) - dt.timedelta(days=20)

    _reopen_database(any_db)

    renewed = _check(any_db, overdue_id)
    assert renewed.status == CheckStatus.OPEN
    assert renewed.due_date == add_months(completed_on, 12)
    assert renewed.completed_on is None
    assert renewed.completed_by is None
    # Which completion is renewed, without the login (pseudonymised exports keep notes as is).
    assert renewed.evidence_note == f"Renewal of {completed_on.isoformat()}"
    [entry] = _renewal_entries(any_db, overdue_id)
    assert entry.actor.startswith("rsdesk: renewal due (opened by ")
    # The entry keeps the completion it renews: the check's history shows it.
    assert entry.changes["status"] == ["done", "open"]
    assert entry.changes["completed_on"] == [completed_on.isoformat(), None]
    assert entry.changes["completed_by"][1] is None

    assert _check(any_db, recent_id).status == CheckStatus.DONE
    assert _check(any_db, waived_id).status == CheckStatus.WAIVED
    assert _check(any_db, not_applicable_id).status == CheckStatus.NOT_APPLICABLE
    for untouched in (recent_id, waived_id, not_applicable_id):
        assert _renewal_entries(any_db, untouched) == []

    _reopen_database(any_db)
    assert len(_renewal_entries(any_db, overdue_id)) == 1
    with any_db.read() as session:
        assert not onboarding.renewals_due(session)
        assert audit.verify(session).ok


def test_a_renewal_that_fell_due_counts_as_overdue_on_the_dashboard(any_db):
    check_id = _declaration_completed(any_db, 12, days_earlier=25)
    with any_db.read() as session:
        before = int(dashboard.compute(session).figure("checks_overdue").value or 0)
        staff_id = _check(any_db, check_id).staff_id
        overdue_before = onboarding.summaries(session, [staff_id])[staff_id].overdue

    _reopen_database(any_db)

    with any_db.read() as session:
        assert dashboard.compute(session).figure("checks_overdue").value == before + 1
        overdue = {item.check_id: item for item in onboarding.overdue_checks(session)}
        completed_on = add_months(TODAY, -12) - dt.timedelta(days=25)
        assert overdue[check_id].due_date == add_months(completed_on, 12)
        assert onboarding.summaries(session, [staff_id])[staff_id].overdue == overdue_before + 1


def test_people_who_left_are_not_renewed(any_db):
    check_id = _declaration_completed(any_db, 13)
    with any_db.unit_of_work() as session:
        staff_id = _check(any_db, check_id).staff_id
        staff_service.archive(session, staff_id)
    _reopen_database(any_db)
    assert _check(any_db, check_id).status == CheckStatus.DONE


def test_completing_the_renewal_closes_it_until_the_next_year(any_db):
    check_id = _declaration_completed(any_db, 13)
    _reopen_database(any_db)
    with any_db.unit_of_work() as session:
        done = onboarding.complete(session, check_id, evidence="2026 declaration")
    assert done.evidence_note == "2026 declaration"
    _reopen_database(any_db)
    assert _check(any_db, check_id).status == CheckStatus.DONE
    assert len(_renewal_entries(any_db, check_id)) == 1


def test_due_soon_lists_renewals_of_the_next_30_days_under_the_reopened_checks_uid(any_db):
    soon_id = _declaration_completed(any_db, 12)  # due again today or within days
    with any_db.unit_of_work() as session:
        check = session.get(OnboardingCheck, soon_id)
        assert check is not None
        check.completed_on = add_months(TODAY + dt.timedelta(days=20), -12)
    later_id = _declaration_completed(any_db, 10)
    with any_db.read() as session:
        items = {
            item.record_id: item
            for item in dashboard.due_soon(session, kinds=[dashboard.DueKind.CHECK])
        }
    assert later_id not in items
    soon = items[soon_id]
    assert soon.due == add_months(add_months(TODAY + dt.timedelta(days=20), -12), 12)
    assert "(renewal)" in soon.summary

    # On its renewal day the check is reopened and listed as the open check: the same event.
    future = soon.due
    with any_db.unit_of_work() as session:
        assert onboarding.renew_due_checks(session, future) == [soon_id]
    with any_db.read() as session:
        [reopened] = [
            item
            for item in dashboard.due_soon(session, today=future, kinds=[dashboard.DueKind.CHECK])
            if item.record_id == soon_id
        ]
    assert reopened.uid == soon.uid


def test_the_command_line_renews_on_open_and_its_reminders_list_coming_renewals(
    db, tmp_path: Path, capsys
):
    """The command line opens the database as the GUI does, so it renews too."""
    overdue_id = _declaration_completed(db, 13)
    soon_id = _declaration_completed(db, 12)
    soon_completed_on = add_months(TODAY + dt.timedelta(days=5), -12)
    with db.unit_of_work() as session:
        check = session.get(OnboardingCheck, soon_id)
        assert check is not None
        check.completed_on = soon_completed_on
    db.dispose()  # the command is another program
    out = tmp_path / "due.ics"
    assert main(["--db", str(db.path), "reminders", str(out)]) == 0, capsys.readouterr().err
    assert _check(db, overdue_id).status == CheckStatus.OPEN
    assert _check(db, soon_id).status == CheckStatus.DONE
    soon_due = onboarding.renewal_date(soon_completed_on, 12)
    assert TODAY <= soon_due <= TODAY + dt.timedelta(days=5)
    assert f"UID:check-{soon_id}-{soon_due:%Y%m%d}@rsdesk" in out.read_text(encoding="utf-8")


def test_renewal_dates_at_month_ends():
    """A completion is due by ``day`` exactly when it is at most ``last_completion_due_by``."""
    first = dt.date(2023, 11, 1)
    for months in (1, 12):
        for offset in range(0, 500, 1):
            day = first + dt.timedelta(days=offset)
            latest = onboarding.last_completion_due_by(day, months)
            assert onboarding.renewal_date(latest, months) <= day
            assert onboarding.renewal_date(latest + dt.timedelta(days=1), months) > day
    assert onboarding.renewal_date(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert onboarding.last_completion_due_by(dt.date(2025, 2, 28), 12) == dt.date(2024, 2, 29)


def _rules(**extra: object) -> dict[str, object]:
    check: dict[str, object] = {"code": "declaration", "title": "Declaration", "due_days": 30}
    check.update(extra)
    return {"version": "t", "check": [check]}


def test_rules_accept_a_renewal_period():
    rules = onboarding.parse_onboarding_rules(_rules(renew_months=24))
    assert rules.checks[0].renew_months == 24
    assert onboarding.parse_onboarding_rules(_rules()).checks[0].renew_months is None


@pytest.mark.parametrize("value", [0, -12, "12", 12.0, True, 121])
def test_rules_refuse_a_renewal_period_that_is_not_a_positive_whole_number(value):
    with pytest.raises(ValidationError) as refused:
        onboarding.parse_onboarding_rules(_rules(renew_months=value))
    message = str(refused.value)
    assert message.startswith("Onboarding rule 1 (declaration): 'renew_months' must be")
    assert "whole number of months from 1 to 120" in message


def test_the_rules_editor_stores_a_renewal_period(db):
    text = onboarding.shipped_rules_text().replace("renew_months = 12", "renew_months = 6")
    with db.unit_of_work() as session:
        saved = onboarding.save_rules_text(session, text)
    assert saved.by_code()[DECLARATION].renew_months == 6
    with db.read() as session:
        assert onboarding.load_rules(session).by_code()[DECLARATION].renew_months == 6
    with pytest.raises(ValidationError, match="renew_months"), db.unit_of_work() as session:
        onboarding.save_rules_text(session, text.replace("renew_months = 6", 'renew_months = "x"'))


def test_two_opens_at_once_on_a_server_reopen_a_check_once(any_db):
    if any_db.is_sqlite:
        pytest.skip("SQLite serialises writers: the second open finds the check open")

    check_id = _declaration_completed(any_db, 13)
    other = open_database(any_db.url, upgrade=False)
    second: list[list[int]] = []
    try:
        with any_db.unit_of_work() as session:
            assert onboarding.renew_due_checks(session) == [check_id]
            # The second open starts while the first has not committed: it waits for the lock.
            waiting = threading.Thread(target=lambda: second.append(_renew_in(other)), daemon=True)
            waiting.start()
            waiting.join(0.5)
            assert waiting.is_alive()
        waiting.join(10)
    finally:
        other.dispose()
    assert second == [[]]
    with any_db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.table_name == "onboarding_check", AuditEntry.record_id == check_id
            )
        ).all()
    assert sum(entry.changes.get("status") == ["done", "open"] for entry in entries) == 1


def _renew_in(database: Database) -> list[int]:
    with database.unit_of_work() as session:
        return onboarding.renew_due_checks(session)
