"""What the annual report and the appraisal record say, read back from the PDF: counts in words,
figures that count what they claim, labels rather than codes, and cells that wrap at words."""

from __future__ import annotations

import datetime as dt

from rsdesk.models import Appraisal, Collaboration, MitigationMeasure
from rsdesk.models.enums import (
    AppraisalDecision,
    AppraisalStatus,
    CollaborationKind,
    CollaborationStatus,
    MeasureStatus,
    RiskLevel,
)
from rsdesk.services.reports.pdf.annual import generate_annual
from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record
from tests.reports.pdf.appraisals import signed_off_appraisal
from tests.reports.pdf.helpers import flat, pages_text

YEAR = 2025


def _appraisal(collaboration: Collaboration, version: int, signed: dt.date) -> Appraisal:
    return Appraisal(
        collaboration_id=collaboration.id,
        version=version,
        status=AppraisalStatus.SIGNED_OFF,
        model_id="rsdesk-default",
        model_version="1.0",
        answers={},
        justifications={},
        result={"level": "high"},
        risk_level=RiskLevel.HIGH,
        score=30,
        decision=AppraisalDecision.APPROVE_WITH_CONDITIONS,
        signed_off_by="Officer",
        signed_off_at=dt.datetime(signed.year, signed.month, signed.day, 12),
    )


def _measure(appraisal: Appraisal, completed: dt.date | None) -> MitigationMeasure:
    return MitigationMeasure(
        collaboration_id=appraisal.collaboration_id,
        appraisal_id=appraisal.id,
        description="Export licence check",
        due_date=dt.date(YEAR, 12, 1),
        status=MeasureStatus.DONE if completed else MeasureStatus.PLANNED,
        completed_on=completed,
    )


def _year_of_one_high_risk_collaboration(session) -> None:  # noqa: ANN001
    """One collaboration appraised twice in the year (both high), one never appraised, and a
    measure agreed the year before and completed in this one."""
    appraised = Collaboration(
        reference=f"C-{YEAR}-00001",
        title="Sensor fusion",
        kind=CollaborationKind.JOINT_RESEARCH,
        status=CollaborationStatus.APPROVED_WITH_CONDITIONS,
        start_date=dt.date(YEAR, 3, 1),
    )
    never = Collaboration(
        reference=f"C-{YEAR}-00002",
        title="Summer school",
        kind=CollaborationKind.EXCHANGE,
        status=CollaborationStatus.ACTIVE,
        start_date=dt.date(YEAR, 4, 1),
    )
    earlier = Collaboration(
        reference=f"C-{YEAR - 1}-00001",
        title="Older study",
        kind=CollaborationKind.JOINT_RESEARCH,
        status=CollaborationStatus.ACTIVE,
        start_date=dt.date(YEAR - 1, 5, 1),
    )
    session.add_all([appraised, never, earlier])
    session.flush()
    first = _appraisal(appraised, 1, dt.date(YEAR, 3, 10))
    second = _appraisal(appraised, 2, dt.date(YEAR, 9, 10))
    old = _appraisal(earlier, 1, dt.date(YEAR - 1, 6, 1))
    session.add_all([first, second, old])
    session.flush()
    session.add_all(
        [
            _measure(first, dt.date(YEAR, 5, 1)),
            _measure(first, None),
            _measure(old, dt.date(YEAR, 2, 1)),
        ]
    )


def test_annual_summary_counts_what_it_says(any_db) -> None:
    db = any_db
    with db.unit_of_work() as session:
        _year_of_one_high_risk_collaboration(session)
    with db.unit_of_work() as session:
        _, content = generate_annual(session, YEAR, database_name="x", actor="t")
    pages = pages_text(content)
    text = flat("\n".join(pages))
    # counts in words, singular where there is one
    assert (
        f"In {YEAR} the office recorded 2 collaborations and signed off 2 appraisals of "
        "1 collaboration; 1 of these collaborations (100%) was rated high or very high." in text
    )
    # the measures agreed this year, those of them completed, and earlier ones completed apart
    assert (
        f"2 mitigation measures were agreed in {YEAR}, 1 of them completed in the year; "
        "1 measure agreed in earlier years was also completed." in text
    )
    assert "Measures completed 2 " in text
    assert "agreed in the year 1 " in text
    assert "agreed in earlier years 1 " in text
    assert "counts as completed in the year it was marked done" in text
    # the tile counts collaborations, as the high-risk table under it lists them
    assert "collaborations rated high or very high" in text
    summary = flat(next(p for p in pages if "Executive summary" in p and "Definitions" in p))
    assert "2 1 1 " in summary  # tiles: in the year, appraised, rated high or very high
    # the appendix: whole words, and what an empty risk means
    appendix = flat("\n".join(p for p in pages if "Appendix: register" in p))
    assert "Approved with conditions" in appendix
    assert f"C-{YEAR}-00002 Summer school Exchange Active Not appraised" in appendix


def test_appraisal_record_reads_cleanly(db) -> None:
    with db.unit_of_work() as session:
        appraisal_id = signed_off_appraisal(session)
    with db.unit_of_work() as session:
        _, content = generate_appraisal_record(session, appraisal_id, database_name="x", actor="t")
    pages = pages_text(content)
    text = flat("\n".join(pages))
    assert "(don't know) (don't know)" not in text.lower()
    assert "don't know (don't know)" not in text.lower()
    # suggested measures by what they say and what called for them, not by their codes
    assert "Suggested measure Called for by the answer to" in text
    assert "_" not in text.split("Suggested measure", 1)[1].split("Questions, answers", 1)[0]
    # the stamp has a heading of its own above an ordinary two-column table
    assert "What this record was made from Item Value Generated" in text


def test_a_change_of_one_point_is_singular() -> None:
    from rsdesk.services.reports.pdf.annual import _change

    assert _change(81.2, 80.4, percent=True) == "+1 pt"
    assert _change(80.4, 82.6, percent=True) == "\u22123 pts"
