"""Closing one onboarding check for many people at once (after a group briefing): counts, one
audit entry per check closed, leavers left alone, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import AuditEntry, OnboardingCheck
from rsdesk.models.enums import CheckStatus
from rsdesk.services import audit, onboarding
from rsdesk.services import staff as staff_service
from rsdesk.services.errors import NotFoundError, ValidationError
from tests.services.people.helpers import person

TODAY = dt.date.today()
LONG_AGO = TODAY - dt.timedelta(days=400)
BRIEFING = "security_briefing"


def _status(session, staff_id: int, code: str = BRIEFING) -> onboarding.CheckItem:
    return next(i for i in onboarding.checklist(session, staff_id) if i.check_code == code)


def _audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.fixture
def group(any_db: Database) -> dict[str, int]:
    """Four researchers with the briefing open, one who did it already, an administrator
    without it, one who left and one archived record."""
    with any_db.unit_of_work() as session:
        ids = {f"open{n}": person(session, start_date=LONG_AGO) for n in range(4)}
        ids["done"] = person(session, start_date=LONG_AGO)
        ids["admin"] = person(session, role_category="administrative")
        ids["left"] = person(session, start_date=LONG_AGO, end_date=TODAY - dt.timedelta(days=1))
        ids["archived"] = person(session, start_date=LONG_AGO)
        staff_service.archive(session, ids["archived"])
        done = _status(session, ids["done"])
        onboarding.complete(session, done.id, by="earlier", on=LONG_AGO, evidence="first one")
    return ids


def test_closes_the_open_checks_and_counts_the_rest(any_db: Database, group) -> None:
    everyone = list(group.values())
    with any_db.read() as session:
        plan = onboarding.plan_close_checks(session, everyone)
        before = _audit_count(session)
    assert (plan.current, plan.former_staff) == (6, 2)
    briefing = next(c for c in plan.choices if c.code == BRIEFING)
    assert (briefing.open, briefing.closed) == (4, 1)
    forecast = plan.outcome(BRIEFING)
    on = TODAY - dt.timedelta(days=3)
    with any_db.unit_of_work() as session:
        result = onboarding.close_checks(
            session, everyone, BRIEFING, "complete", on=on, note="Group briefing 12 May", by="hr"
        )
    assert (result.closed, result.already_closed, result.without_check, result.former_staff) == (
        4, 1, 1, 2,
    )  # fmt: skip
    assert result.closed == forecast.closed
    assert result.already_closed == forecast.already_closed
    assert result.without_check == forecast.without_check
    with any_db.read() as session:
        for n in range(4):
            item = _status(session, group[f"open{n}"])
            assert item.status == CheckStatus.DONE
            assert (item.completed_on, item.completed_by) == (on, "hr")
            assert item.evidence_note == "Group briefing 12 May"
        # The check done before keeps its own date and evidence.
        earlier = _status(session, group["done"])
        assert (earlier.completed_on, earlier.evidence_note) == (LONG_AGO, "first one")
        # Leavers are left alone: their checks stay open.
        assert _status(session, group["left"]).status == CheckStatus.OPEN
        assert _status(session, group["archived"]).status == CheckStatus.OPEN
        # One audit entry per check closed, as the checklist's own Complete writes.
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)
        ).all()
        assert sorted(e.record_id for e in entries) == sorted(result.check_ids)
        assert {(e.table_name, e.action) for e in entries} == {("onboarding_check", "update")}
        assert all(e.changes["status"] == ["open", "done"] for e in entries)
        assert audit.verify(session).ok
        # Closed now, the plan offers nothing more to close.
        again = onboarding.plan_close_checks(session, everyone)
    assert next(c for c in again.choices if c.code == BRIEFING).open == 0


def test_waive_and_not_applicable_record_what_the_checklist_records(any_db, group) -> None:
    with any_db.unit_of_work() as session:
        onboarding.close_checks(
            session, [group["open0"], group["open1"]], BRIEFING, "waive", note="Briefed abroad"
        )
        onboarding.close_checks(session, [group["open2"]], BRIEFING, "not_applicable", note="n/a")
    with any_db.read() as session:
        waived = _status(session, group["open0"])
        assert waived.status == CheckStatus.WAIVED
        assert (waived.waiver_reason, waived.evidence_note) == ("Briefed abroad", None)
        assert waived.completed_on == TODAY
        assert waived.completed_by == any_db.actor
        not_applicable = _status(session, group["open2"])
        assert not_applicable.status == CheckStatus.NOT_APPLICABLE
        assert not_applicable.evidence_note == "n/a"


@pytest.mark.parametrize(
    ("arguments", "message", "field"),
    [
        ({"action": "complete", "on": TODAY + dt.timedelta(days=1)}, "future", "completed_on"),
        ({"action": "waive", "note": "   "}, "reason", "waiver_reason"),
        ({"action": "reopen"}, "Unknown action", "action"),
        (
            {"action": "complete", "check_code": "no_such_check"},
            "None of the selected",
            "check_code",
        ),
    ],
)
def test_refusals_write_nothing(any_db, group, arguments, message, field) -> None:
    values = {"check_code": BRIEFING, **arguments}
    with any_db.read() as session:
        before = _audit_count(session)
    with (
        pytest.raises(ValidationError, match=message) as refused,
        any_db.unit_of_work() as session,
    ):
        onboarding.close_checks(session, list(group.values()), **values)
    assert refused.value.field == field
    with any_db.read() as session:
        assert _audit_count(session) == before
        assert _status(session, group["open0"]).status == CheckStatus.OPEN


def test_an_unknown_person_refuses_the_whole_selection(any_db, group) -> None:
    with pytest.raises(NotFoundError, match="999999"), any_db.unit_of_work() as session:
        onboarding.close_checks(session, [group["open0"], 999999], BRIEFING, "complete")
    with any_db.read() as session:
        assert _status(session, group["open0"]).status == CheckStatus.OPEN
    with pytest.raises(ValidationError, match="at least one"), any_db.read() as session:
        onboarding.plan_close_checks(session, [])


def test_a_selection_of_only_leavers_closes_nothing(any_db, group) -> None:
    with any_db.unit_of_work() as session:
        result = onboarding.close_checks(
            session, [group["left"], group["archived"]], BRIEFING, "complete"
        )
    assert (result.closed, result.former_staff) == (0, 2)
    with any_db.read() as session:
        open_checks = session.scalar(
            select(func.count())
            .select_from(OnboardingCheck)
            .where(
                OnboardingCheck.status == CheckStatus.OPEN, OnboardingCheck.check_code == BRIEFING
            )
        )
        plan = onboarding.plan_close_checks(session, [group["left"], group["archived"]])
    assert open_checks == 6
    assert (plan.current, plan.former_staff, plan.choices) == (0, 2, ())
