"""Listings whose cells are taller than a page, and the audit log's changed fields in words.

An appraisal's audit entry holds the whole scoring result (some 20,000 characters): one row of it
could not be placed on any page, and reportlab gave up with a LayoutError.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from rsdesk.models import MitigationMeasure, Setting
from rsdesk.services import pseudonyms
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports.pdf.listing import generate_listing
from tests.reports.pdf.appraisals import signed_off_appraisal
from tests.reports.pdf.data import add_register
from tests.reports.pdf.helpers import flat, pages_text, qpdf_check


def _listing(db, name: str, query: RegisterQuery | None = None) -> bytes:
    with db.unit_of_work() as session:
        _, content = generate_listing(
            session, name, query or RegisterQuery(), database_name="t.db", actor="tester"
        )
    return content


def test_audit_listing_with_an_appraisal_prints_and_cuts_the_long_entry(db, tmp_path) -> None:
    with db.unit_of_work() as session:
        signed_off_appraisal(session)
    content = _listing(db, "audit_log", RegisterQuery(filters={"table": "appraisal"}))
    qpdf_check(content, tmp_path)
    text = flat("\n".join(pages_text(content)))
    hidden = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) more characters;", text)]
    assert hidden
    assert all(n > 1000 for n in hidden)
    assert "full entry in the Audit log view and its Excel export" in text
    # the changed fields in words, with the register's labels, never a Python repr
    assert "Collaboration: C-2026-00777" in text
    assert "{'" not in text
    assert "[None" not in text


def test_audit_listing_shows_changes_as_old_to_new(db) -> None:
    with db.unit_of_work() as session:
        add_register(session, 8)
    with db.unit_of_work() as session:
        measure = session.scalars(select(MitigationMeasure).order_by(MitigationMeasure.id)).first()
        assert measure is not None
        before = measure.description
        measure.description = "Reworded measure"
    pages = pages_text(_listing(db, "audit_log"))
    text = flat("\n".join(pages))
    assert f"Measure: {before} \u2192 Reworded measure" in text
    # the time of an entry stays on one line beside the wide Fields column
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", pages[0])


def test_audit_listing_redacts_the_pseudonym_secret(db) -> None:
    with db.unit_of_work() as session:
        secret = pseudonyms.ensure_secret(session).hex()
        assert session.scalar(select(Setting.id).where(Setting.key == pseudonyms.SECRET_KEY))
    text = "".join(pages_text(_listing(db, "audit_log")))
    assert secret[:16] not in text.replace("\n", "")
    assert "[redacted]" in text


def test_a_description_longer_than_a_page_is_cut_with_a_note(db, tmp_path) -> None:
    long_text = " ".join(f"step{n:05d} of the plan" for n in range(2000))
    with db.unit_of_work() as session:
        add_register(session, 8)
        measures = session.scalars(select(MitigationMeasure).order_by(MitigationMeasure.id)).all()
        measures[0].description = long_text
        # right-to-left and Chinese text take other paths through the cell maker
        measures[1].description = "إجراء طويل جدا " * 1500 + " 长期措施" * 1500
    content = _listing(db, "measures")
    qpdf_check(content, tmp_path)
    text = flat("\n".join(pages_text(content)))
    assert "step00000 of the plan" in text
    assert "step01999" not in text
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) more characters;", text)]
    assert len(counts) == 2
    # the count is of the characters after the last one printed
    shown = max(int(n) for n in re.findall(r"step(\d{5})", text))
    last = f"step{shown:05d} of the plan"
    assert len(long_text) - long_text.index(last) - len(last) in counts
    assert "full text in the register and its Excel export" in text


def test_a_flowable_no_page_can_hold_is_one_clear_message() -> None:
    import pytest
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageTemplate, Spacer, Table

    from rsdesk.services.errors import KnownError
    from rsdesk.services.reports.pdf import document

    page = PageTemplate(id="page", frames=[document.frame_for(A4)], pagesize=A4)
    context = document.ReportContext(title="Probe", header_right="", footer_stamp="")
    with pytest.raises(KnownError, match="could not be laid out") as caught:
        document.build(
            [Table([[Spacer(100, 5000)]], colWidths=[200])],
            context,
            [page],
            title="Probe",
            author="",
            subject="",
        )
    assert "\n" not in str(caught.value)
