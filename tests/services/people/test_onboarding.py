"""Onboarding: the rules engine creates the right checks and the checklist actions record who/when."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rsdesk.models import AuditEntry, OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import onboarding
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import ValidationError
from rsdesk.services.staff import StaffInput

from .helpers import person


def codes(session, staff_id):
    return {item.check_code for item in onboarding.checklist(session, staff_id)}


def test_sensitive_research_role_gets_the_sensitive_checks(db):
    rules = onboarding.load_rules_from_file()
    sensitive = onboarding.Profile("postdoc", frozenset({"critical_technology", "dual_use"}))
    expected = {r.code for r in rules.applicable(sensitive)}
    with db.unit_of_work() as session:
        staff_id = person(
            session, role_category="postdoc", technology_area_code="quantum", dual_use_code="5"
        )
        got = codes(session, staff_id)
    assert got == expected
    # The shipped rules give a dual-use postdoc the export-control and need-to-know checks...
    assert {"export_control_check", "need_to_know_access", "security_briefing"} <= got
    # ...but not the facility briefing, which follows facility access only.
    assert "facility_briefing" not in got


def test_non_sensitive_role_gets_only_the_general_checks(db):
    with db.unit_of_work() as session:
        admin = person(session, role_category="administrative")
        researcher = person(session, role_category="researcher")
        admin_codes = codes(session, admin)
        researcher_codes = codes(session, researcher)
    assert admin_codes == set()
    assert "export_control_check" not in researcher_codes
    assert "need_to_know_access" not in researcher_codes
    assert {"security_briefing", "cv_reference_check"} <= researcher_codes


def test_due_dates_count_from_the_start_date(db):
    start = dt.date(2026, 2, 20)
    rules = onboarding.load_rules_from_file().by_code()
    with db.unit_of_work() as session:
        staff_id = person(session, start_date=start, sensitive_facility_access=True)
        items = {i.check_code: i for i in onboarding.checklist(session, staff_id)}
    assert items["facility_briefing"].due_date == start + dt.timedelta(
        days=rules["facility_briefing"].due_days
    )
    assert all(item.status == CheckStatus.OPEN for item in items.values())


def test_role_change_adds_new_checks_and_keeps_done_ones(db):
    with db.unit_of_work() as session:
        staff_id = person(session, role_category="technician", start_date=dt.date(2025, 1, 1))
        before = onboarding.checklist(session, staff_id)
        briefing = next(i for i in before if i.check_code == "security_briefing")
        onboarding.complete(session, briefing.id, by="officer", evidence="slides signed")
        change = staff_service.change(session, staff_id, role_category="professor")
        change2 = staff_service.change(session, staff_id, dual_use_code="3")
        after = {i.check_code: i for i in onboarding.checklist(session, staff_id)}
    assert {"interests_declaration", "cv_reference_check"} <= set(change.checks_added)
    assert "security_briefing" not in change.checks_added
    assert "export_control_check" in change2.checks_added
    assert after["security_briefing"].status == CheckStatus.DONE
    assert after["security_briefing"].evidence_note == "slides signed"
    # New checks are due counted from the change (today), not from the old start date.
    assert after["export_control_check"].due_date >= dt.date.today()


def test_unrelated_change_adds_nothing(db):
    with db.unit_of_work() as session:
        staff_id = person(session)
        count = len(onboarding.checklist(session, staff_id))
        result = staff_service.change(session, staff_id, full_name="Renamed Person")
        assert result.checks_added == ()
        assert len(onboarding.checklist(session, staff_id)) == count


def test_complete_waive_and_not_applicable_record_who_and_when(db):
    with db.unit_of_work() as session:
        staff_id = person(session, role_category="professor", sensitive_facility_access=True)
        items = onboarding.checklist(session, staff_id)
        done = onboarding.complete(session, items[0].id, evidence="seen", on=dt.date(2026, 1, 5))
        with pytest.raises(ValidationError, match="reason"):
            onboarding.waive(session, items[1].id, "  ")
        waived = onboarding.waive(session, items[1].id, "covered by previous employer", by="Kim")
        na = onboarding.mark_not_applicable(session, items[2].id, note="no lab work")
    assert done.status == CheckStatus.DONE
    assert done.completed_by == db.actor
    assert done.completed_on == dt.date(2026, 1, 5)
    assert waived.status == CheckStatus.WAIVED
    assert waived.waiver_reason == "covered by previous employer"
    assert waived.completed_by == "Kim"
    assert na.status == CheckStatus.NOT_APPLICABLE
    with db.read() as session:
        updates = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "onboarding_check", AuditEntry.action == "update")
        )
    assert updates == 3


def test_overdue_checks_are_open_checks_past_their_due_date(db):
    today = dt.date(2026, 6, 1)
    with db.unit_of_work() as session:
        old = person(session, start_date=dt.date(2026, 1, 1))
        new = person(session, start_date=today)
        first = onboarding.checklist(session, old)[0]
        onboarding.complete(session, first.id)
        overdue = onboarding.overdue_checks(session, today=today)
        count = onboarding.overdue_count(session, today=today)
        summary = onboarding.summaries(session, [old, new], today=today)
    assert {o.staff_id for o in overdue} == {old}
    assert first.id not in {o.check_id for o in overdue}
    assert count == len(overdue) == len(onboarding_checks_of(db, old)) - 1
    assert summary[old].overdue == count
    assert summary[new].overdue == 0
    assert summary[new].open == summary[new].total


def onboarding_checks_of(db, staff_id):
    with db.read() as session:
        return list(
            session.scalars(select(OnboardingCheck).where(OnboardingCheck.staff_id == staff_id))
        )


def test_edited_rules_are_stored_and_used(db):
    text = """
version = "local-1"
[[check]]
code = "lab_induction"
title = "Lab induction"
due_days = 3
[check.applies]
sensitivity = ["sensitive_facility"]
"""
    with db.unit_of_work() as session:
        rules = onboarding.save_rules_text(session, text)
        assert rules.source == "edited"
        staff_id = person(session, sensitive_facility_access=True)
        assert codes(session, staff_id) == {"lab_induction"}
        onboarding.reset_rules(session)
        assert onboarding.load_rules(session).source == "shipped"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[check]]\ncode='a'\ntitle='A'\ndue_days=3\n[check.applies]\nnationality=['x']",
            "unknown condition 'nationality'",
        ),
        ("[[check]]\ncode='a'\ntitle='A'\ndue_days=-1", "due_days"),
        (
            "[[check]]\ncode='a'\ntitle='A'\ndue_days=1\n[[check]]\ncode='a'\ntitle='B'\ndue_days=1",
            "used twice",
        ),
        ("[[check]]\ncode='a'\ndue_days=1", "'title' is required"),
        (
            "[[check]]\ncode='a'\ntitle='A'\ndue_days=1\n[check.applies]\nroles=['wizard']",
            "unknown value 'wizard'",
        ),
        ("check = [", "not valid TOML"),
    ],
)
def test_bad_rules_are_rejected_with_a_clear_message(db, text, message):
    with db.unit_of_work() as session, pytest.raises(ValidationError, match=message):
        onboarding.save_rules_text(session, text)
    with db.read() as session:
        assert onboarding.load_rules(session).source == "shipped"


def test_staff_validation(db):
    with db.unit_of_work() as session:
        person(session, staff_number="A1")
        bad = [
            ({"staff_number": "a1"}, "already in use"),
            ({"staff_number": " "}, "staff number is required"),
            ({"full_name": ""}, "name is required"),
            ({"role_category": "king"}, "Unknown role category"),
            ({"email": "not-an-address"}, "not an e-mail"),
            (
                {"start_date": dt.date(2026, 1, 2), "end_date": dt.date(2026, 1, 1)},
                "before the start",
            ),
            ({"technology_area_code": "alchemy"}, "Unknown critical technology area"),
        ]
        for values, message in bad:
            data = {"staff_number": "B2", "full_name": "B", "role_category": "researcher"}
            data.update(values)
            with pytest.raises(ValidationError, match=message):
                staff_service.create(session, StaffInput(**data))


def test_archive_keeps_the_record(db):
    with db.unit_of_work() as session:
        staff_id = person(session)
        archived = staff_service.archive(session, staff_id, end_date=dt.date(2026, 3, 1))
    assert archived.archived
    assert archived.end_date == dt.date(2026, 3, 1)
    with db.read() as session:
        assert staff_service.get(session, staff_id).full_name.startswith("Person")
