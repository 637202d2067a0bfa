"""The annual report: key figures against the database, sections, every script, escaping, the
audit statement, the archive, and a short sensible report for an empty database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from rsdesk.models import Appraisal, AuditEntry, Collaboration, MitigationMeasure
from rsdesk.models.enums import MeasureStatus, RiskLevel
from rsdesk.services import audit
from rsdesk.services import settings as settings_service
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf.annual import generate_annual
from tests.reports.pdf.data import WORLD_NAMES, add_register
from tests.reports.pdf.helpers import flat, metadata, pages_text, qpdf_check

SECTIONS = [
    "Executive summary",
    "Risk appraisals",
    "High and very high risk collaborations",
    "The year's collaborations",
    "Reviews and measures",
    "People: onboarding and training",
    "Method",
    "Audit statement",
    "Appendix: register of the year's collaborations",
]
INSTITUTION = "Universität Zürich & <Partners> <b>"


def _signed_in(year: int):  # noqa: ANN202
    return (
        Appraisal.signed_off_at >= dt.datetime(year, 1, 1),
        Appraisal.signed_off_at < dt.datetime(year + 1, 1, 1),
    )


def test_annual_report_of_a_year(db, tmp_path) -> None:
    year = dt.date.today().year
    with db.unit_of_work() as session:
        add_register(session, 60, year=year)
        add_register(session, 12, year=year - 1, title_prefix="Earlier")
        settings_service.save(session, institution_name=INSTITUTION)
    with db.read() as session:
        appraisals = session.scalar(select(func.count()).where(*_signed_in(year)))
        previous = session.scalar(select(func.count()).where(*_signed_in(year - 1)))
        high = session.scalar(
            select(func.count()).where(
                *_signed_in(year), Appraisal.risk_level.in_([RiskLevel.HIGH, RiskLevel.VERY_HIGH])
            )
        )
        overdue = session.scalar(
            select(func.count(MitigationMeasure.id)).where(
                MitigationMeasure.status == MeasureStatus.PLANNED,
                MitigationMeasure.due_date < dt.date.today(),
            )
        )
        open_before = session.scalar(
            select(func.count(MitigationMeasure.id))
            .join(Appraisal, Appraisal.id == MitigationMeasure.appraisal_id)
            .where(*_signed_in(year - 1), MitigationMeasure.status == MeasureStatus.PLANNED)
        )
        entries_in_year = session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.at >= dt.datetime(year, 1, 1))
        )
        chain = audit.latest_hash(session)
    with db.unit_of_work() as session:
        report_id, content = generate_annual(
            session, year, database_name="office.sqlite3", actor="tester"
        )
    qpdf_check(content, tmp_path)
    pages = pages_text(content)
    text = flat("\n".join(pages))
    # cover: the institution's name printed as typed
    assert INSTITUTION in flat(pages[0])
    assert f"annual report {year}" in flat(pages[0])
    # contents page lists every section with a page number
    for section in SECTIONS:
        assert section in pages[1], section
        assert section in "\n".join(pages[2:]), section
    # key figures against the database, with the previous year beside them
    assert f"Appraisals signed off {appraisals} {previous} +{appraisals - previous}" in text
    # each collaboration has one appraisal here, so collaborations and appraisals agree
    assert (
        f"; {high} of these collaborations ({100 * high / appraisals:.0f}%) were rated high or "
        "very high" in text
    )
    assert f". {overdue} open measures and" in text
    assert f"Measures open at the year's end {overdue} {open_before}" in text
    # the audit statement
    assert f"In {year} it received {entries_in_year} entries" in text
    assert "verified intact" in text
    assert chain in text
    # names in every script (the appendix and the high-risk table)
    for name, _ in WORLD_NAMES:
        assert name in text, name
    # every page after the cover has page X of Y and the stamp
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert "office.sqlite3" in page
    info = metadata(content)
    assert info["Title"] == f"Research security annual report {year}"
    assert info["Author"] == INSTITUTION
    assert "Research security" in info["Subject"]
    with db.read() as session:
        kept = archive.fetch(session, report_id)
        listed = archive.list_reports(session)
    assert kept.content == content
    assert [r.id for r in listed] == [report_id]
    assert kept.info.stamp["audit_hash"] == chain


def test_empty_database_gives_a_short_sensible_report(db, tmp_path) -> None:
    with db.unit_of_work() as session:
        _, content = generate_annual(session, 2024, database_name="empty.sqlite3", actor="t")
    qpdf_check(content, tmp_path)
    pages = pages_text(content)
    assert len(pages) <= 6
    text = flat("\n".join(pages))
    for sentence in (
        "No collaborations were registered or appraised in 2024",
        "No appraisals were signed off in 2024",
        "No collaboration appraised in 2024 was rated high or very high.",
        "No review was overdue on 31 December 2024.",
        "No onboarding checks were due in 2024",
        "No training is required of current staff",
        "No collaborations belong to 2024.",
        "No measure was open on 31 December 2024.",
        # opening the database put the training catalogue in: the trail holds those entries
        "the chain was verified intact",
    ):
        assert sentence in text, sentence
    # no all-zero "latest hash" quoted as if it were one
    assert "0" * 64 not in text


def test_report_of_a_past_year_counts_at_its_year_end(db) -> None:
    year = dt.date.today().year - 1
    with db.unit_of_work() as session:
        add_register(session, 8, year=year)
    with db.unit_of_work() as session:
        _, content = generate_annual(session, year, database_name="x", actor="t")
    text = flat("\n".join(pages_text(content)))
    # 4 high/very-high collaborations with a review due 30 June, overdue at 31 December
    assert f"4 reviews were overdue on 31 December {year}" in text


def test_past_year_lists_reviews_due_then(db) -> None:
    from rsdesk.services.reports import figures

    year = dt.date.today().year - 1
    with db.unit_of_work() as session:
        ids = add_register(session, 8, year=year)
        # a review done since moved the current date on; at the year's end it was still due
        for collaboration_id in ids:
            session.get(Collaboration, collaboration_id).next_review_date = dt.date(year + 5, 1, 1)
    with db.read() as session:
        rows, total = figures.overdue_reviews(session, dt.date(year, 12, 31))
    assert total == 4
    assert {row.next_review for row in rows} == {dt.date(year, 6, 30)}
    assert {row.days_overdue for row in rows} == {
        (dt.date(year, 12, 31) - dt.date(year, 6, 30)).days
    }
