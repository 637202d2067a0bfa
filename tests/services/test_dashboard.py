"""Dashboard figures against the registers' own counts, the charts' series, and the due-soon list."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from rsdesk.models import (
    Appraisal,
    Collaboration,
    MitigationMeasure,
    OnboardingCheck,
    Partner,
    ScreeningList,
    ScreeningResult,
    StaffMember,
)
from rsdesk.models.enums import (
    AppraisalDecision,
    AppraisalStatus,
    CheckStatus,
    CollaborationKind,
    CollaborationStatus,
    MeasureStatus,
    PartnerKind,
    RiskLevel,
    ScreeningVerdict,
)
from rsdesk.services import dashboard, registers, training
from rsdesk.services.dashboard import DueKind, Tone
from rsdesk.services.registers import RegisterQuery

TODAY = dt.date.today()
_serial = itertools.count(1)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def collaboration(session, status="active", risk=None, review=None, archived=False) -> int:
    number = next(_serial)
    record = Collaboration(
        reference=f"C-T-{number:05d}",
        title=f"Project {number}",
        kind=CollaborationKind.JOINT_RESEARCH,
        status=CollaborationStatus(status),
        risk_level=RiskLevel(risk) if risk else None,
        next_review_date=review,
        archived=archived,
    )
    session.add(record)
    session.flush()
    return record.id


def appraisal(session, collaboration_id, signed_at=None, version=1) -> int:
    record = Appraisal(
        collaboration_id=collaboration_id,
        version=version,
        model_id="test",
        model_version="1",
    )
    if signed_at is None:
        # Something answered: a draft nobody worked on does not await a decision.
        record.answers = {"research_maturity": "applied"}
    else:
        record.status = AppraisalStatus.SIGNED_OFF
        record.decision = AppraisalDecision.APPROVE
        record.signed_off_by = "Officer"
        record.signed_off_at = signed_at
        record.risk_level = RiskLevel.LOW
    session.add(record)
    session.flush()
    return record.id


def measure(session, collaboration_id, due, status="planned", archived=False, text="Do it"):
    record = MitigationMeasure(
        collaboration_id=collaboration_id,
        description=text,
        due_date=due,
        status=MeasureStatus(status),
        archived=archived,
    )
    session.add(record)
    session.flush()
    return record.id


def staff(session, archived=False, role="administrative", end_date=None) -> int:
    number = next(_serial)
    record = StaffMember(
        staff_number=f"T{number:05d}",
        full_name=f"Staff {number}",
        role_category=role,
        archived=archived,
        end_date=end_date,
    )
    session.add(record)
    session.flush()
    return record.id


def check(session, staff_id, due, status="open", code=None) -> int:
    record = OnboardingCheck(
        staff_id=staff_id,
        check_code=code or f"check{next(_serial)}",
        title="Export-control briefing",
        due_date=due,
        status=CheckStatus(status),
    )
    session.add(record)
    session.flush()
    return record.id


def screening_result(session, verdict, current=True) -> None:
    partner = Partner(name=f"Partner {next(_serial)}", kind=PartnerKind.UNIVERSITY)
    listing = ScreeningList(
        list_key=f"list{next(_serial)}",
        name="Office list",
        source_format="office_csv",
        file_name="list.csv",
        sha256="0" * 64,
        active=current,
    )
    session.add_all([partner, listing])
    session.flush()
    session.add(
        ScreeningResult(
            partner_id=partner.id,
            list_id=listing.id,
            entry_fingerprint="f" * 64,
            entry_name="Entity",
            partner_name_matched=partner.name,
            list_name_matched="Entity",
            score=0.9,
            verdict=ScreeningVerdict(verdict),
        )
    )
    session.flush()


@pytest.fixture
def filled(any_db):
    with any_db.unit_of_work() as session:
        a = collaboration(session, "active", "low", review=days(-3))
        collaboration(session, "active", "high", review=days(5))
        collaboration(session, "active", "high", review=days(30))
        collaboration(session, "active", "very_high", review=days(31))
        collaboration(session, "active", None)
        collaboration(session, "active", None, review=days(-40))
        collaboration(session, "proposed", None, review=days(2))
        collaboration(session, "ended", "medium")
        collaboration(session, "active", "high", review=days(-1), archived=True)
        appraisal(session, a, signed_at=dt.datetime(TODAY.year, TODAY.month, 1, 9, 0))
        appraisal(session, a, version=2)
        b = collaboration(session, "under_appraisal", None)
        appraisal(session, b)
        measure(session, a, days(-2))  # open, overdue
        measure(session, a, days(10), "in_progress")  # open, due soon
        measure(session, a, days(-5), "done")  # closed
        measure(session, a, days(-5), archived=True)  # archived
        measure(session, b, None)  # open, no date
        person = staff(session)
        check(session, person, days(-1))  # overdue
        check(session, person, days(-1), "done")
        check(session, person, days(7))  # due soon
        gone = staff(session, archived=True)
        check(session, gone, days(-10))  # left: not counted
        left = staff(session, end_date=days(-3))  # left, not (yet) archived: not counted
        check(session, left, days(-10))
        check(session, left, days(5))
        for verdict in ("pending", "pending", "true_match", "false_positive"):
            screening_result(session, verdict)
        screening_result(session, "pending", current=False)  # a replaced list version
    return any_db


def test_every_figure_equals_the_register_count_of_its_drilldown(filled):
    with filled.read() as session:
        board = dashboard.compute(session)
        checked = 0
        for figure in board.figures:
            if figure.register is None:
                continue
            spec = registers.get(figure.register)
            expected = registers.count(session, spec, RegisterQuery(filters=dict(figure.filters)))
            assert figure.value == expected, figure.key
            checked += 1
    assert checked == 14  # every figure but the training share
    values = {f.key: f.value for f in board.figures}
    # The data above, counted by hand: what the office would see.
    assert values["active"] == 6
    assert values["active_high"] == 2
    assert values["active_none"] == 2
    assert values["appraisals_draft"] == 2
    assert values["reviews_overdue"] == 2
    assert values["reviews_due30"] == 3
    assert values["measures_open"] == 3
    assert values["measures_overdue"] == 1
    assert values["checks_overdue"] == 1
    assert values["screening_pending"] == 2
    assert values["screening_confirmed"] == 1
    assert board.figure("reviews_overdue").tone == Tone.ALERT
    # Checks are counted one by one; the staff view lists the people who have them: the one
    # person with an overdue check, not the one who left with another.
    assert board.figure("checks_overdue").navigation == ("staff", {"onboarding": "overdue"})
    with filled.read() as session:
        people = registers.count(
            session, registers.get("staff"), RegisterQuery(filters={"onboarding": "overdue"})
        )
    assert people == 1
    # The tile says what it opens: the figure counts checks, the list shows people.
    assert board.figure("checks_overdue").detail == "checks of 1 person"
    assert board.figure("reviews_overdue").navigation == ("collaborations", {"review": "overdue"})


def test_the_risk_series_keeps_every_level_and_not_appraised_last(filled):
    with filled.read() as session:
        series = dashboard.active_by_risk(session)
    assert [item.level for item in series] == ["low", "medium", "high", "very_high", "none"]
    assert [item.count for item in series] == [1, 0, 2, 1, 2]


def test_appraisals_per_quarter_end_with_this_quarter(filled):
    with filled.read() as session:
        quarters = dashboard.appraisals_by_quarter(session, TODAY)
    assert len(quarters) == dashboard.QUARTERS
    assert (quarters[-1].year, quarters[-1].quarter) == (TODAY.year, (TODAY.month - 1) // 3 + 1)
    assert [q.count for q in quarters] == [0] * (dashboard.QUARTERS - 1) + [1]
    first = quarters[0]
    assert (first.year * 4 + first.quarter) + dashboard.QUARTERS - 1 == (
        TODAY.year * 4 + (TODAY.month - 1) // 3 + 1
    )


def test_an_empty_database_gives_zeros_and_no_share(any_db):
    with any_db.read() as session:
        board = dashboard.compute(session)
        due = dashboard.due_soon(session)
    for figure in board.figures:
        if figure.key == "training_compliance":
            assert figure.value is None
            assert figure.display == "–"
        else:
            assert figure.value == 0, figure.key
    assert [item.count for item in board.active_by_risk] == [0] * 5
    assert board.training_by_department == ()
    assert due == []


def test_training_compliance_is_the_share_of_required_courses_current(any_db):
    with any_db.unit_of_work() as session:
        training.sync_courses(session)
        courses = {c.code: c for c in training.courses(session)}
        clerk = staff(session, role="administrative")
        training.record_completion(session, clerk, courses["infosec"].id, days(-30))
    with any_db.read() as session:
        board = dashboard.compute(session)
        expected = training.compliance_by_department(session, TODAY)
    required = sum(item.required for item in expected)
    compliant = sum(item.compliant for item in expected)
    assert required >= 2
    figure = board.figure("training_compliance")
    assert figure.value == pytest.approx(100.0 * compliant / required)
    assert 0 < figure.value < 100
    assert f"{compliant} of {required}" in figure.detail


def test_due_soon_lists_open_items_in_the_horizon_by_date(filled):
    with filled.unit_of_work() as session:
        training.sync_courses(session)
        course = next(c for c in training.courses(session) if c.refresh_months == 12)
        learner = staff(session)
        # Completed a year ago less 20 days: valid until 20 days from now.
        completed = training.add_months(days(20), -12)
        training.record_completion(session, learner, course.id, completed)
    with filled.read() as session:
        items = dashboard.due_soon(session, days=30)
        reviews_only = dashboard.due_soon(session, days=30, kinds=[DueKind.REVIEW])
        short = dashboard.due_soon(session, days=6)
    assert [item.due for item in items] == sorted(item.due for item in items)
    kinds = [item.kind for item in items]
    assert kinds.count(DueKind.REVIEW) == 3  # days 2, 5, 30; not 31, not overdue, not archived
    assert kinds.count(DueKind.MEASURE) == 1  # the in-progress one due in 10 days
    assert kinds.count(DueKind.CHECK) == 1
    assert kinds.count(DueKind.TRAINING) == 1
    expiring = next(item for item in items if item.kind == DueKind.TRAINING)
    assert expiring.due == days(20)
    assert (expiring.open_register, expiring.open_id) == ("staff", learner)
    check_item = next(item for item in items if item.kind == DueKind.CHECK)
    assert check_item.open_register == "staff"
    assert check_item.due == days(7)
    assert course.name in expiring.summary
    assert all(TODAY <= item.due <= days(30) for item in items)
    assert {item.kind for item in reviews_only} == {DueKind.REVIEW}
    assert [item.due for item in short] == [days(2), days(5)]
    assert len({item.uid for item in items}) == len(items)
