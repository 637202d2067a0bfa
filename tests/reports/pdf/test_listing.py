"""Register listings: every row, the header on every page, page X of Y, filters, escaping."""

from __future__ import annotations

import re

from sqlalchemy import select

from rsdesk.models import Collaboration
from rsdesk.services import registers
from rsdesk.services.registers.base import RegisterQuery
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf.listing import build_listing, generate_listing
from tests.reports.pdf.data import WORLD_NAMES, add_register
from tests.reports.pdf.helpers import flat, metadata, pages_text, qpdf_check


def test_listing_prints_every_row_with_header_and_page_numbers(db, tmp_path) -> None:
    with db.unit_of_work() as session:
        add_register(session, 130, title_prefix="Probe <b>&</b>")
    with db.unit_of_work() as session:
        report_id, content = generate_listing(
            session, "collaborations", RegisterQuery(), database_name="test.db", actor="tester"
        )
        references = session.scalars(select(Collaboration.reference)).all()
    qpdf_check(content, tmp_path)
    pages = pages_text(content)
    assert len(pages) > 2
    text = "\n".join(pages)
    for reference in references:
        assert reference in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        # the column header band repeats on every page
        assert "Reference" in page
        assert "Partners" in page
        assert "Next" in page
        assert "Made " in page
        assert "test.db" in page
    # user text printed as typed, never as markup
    assert "Probe <b>&</b> 1 on" in flat(text)
    for name, _ in WORLD_NAMES:
        assert name.split()[0] in text, name
    assert metadata(content)["Title"] == "Collaborations: register listing"
    with db.read() as session:
        assert archive.fetch(session, report_id).content == content


def test_listing_follows_search_and_filters(db) -> None:
    with db.unit_of_work() as session:
        add_register(session, 40)
    query = RegisterQuery(text="quantum", filters={"risk_level": "high"})
    spec = registers.get("collaborations")
    with db.read() as session:
        expected = {row[1] for row in registers.fetch(session, spec, query, keys=["reference"])}
        content = build_listing(session, spec, query, archive.make_stamp(session, "x"))
    text = "\n".join(pages_text(content))
    printed = set(re.findall(r"C-\d{4}-\d{5}", text))
    assert printed == expected
    assert expected
    assert 'search "quantum"; Risk level = High' in flat(text)


def test_empty_listing_says_so(db, tmp_path) -> None:
    with db.read() as session:
        spec = registers.get("collaborations")
        content = build_listing(session, spec, RegisterQuery(), archive.make_stamp(session, "x"))
    qpdf_check(content, tmp_path)
    pages = pages_text(content)
    assert len(pages) == 1
    assert "No records match this selection." in pages[0]


def test_every_register_lists(db) -> None:
    with db.unit_of_work() as session:
        add_register(session, 5)
    for name in registers.names():
        spec = registers.get(name)
        with db.read() as session:
            count = registers.count(session, spec, RegisterQuery())
            content = build_listing(
                session, spec, RegisterQuery(), archive.make_stamp(session, "x")
            )
        text = flat("\n".join(pages_text(content)))
        assert f"{count:,} records" in text, name
        assert spec.title in text, name
