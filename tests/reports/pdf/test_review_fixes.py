"""Defects found by reading the printed reports: each test fails on the code before the fix."""

from __future__ import annotations

import dataclasses

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.platypus import PageTemplate, Paragraph

from rsdesk.services.appraisal import workflow
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf import document, styles, tables
from rsdesk.services.reports.pdf.annual import _change
from rsdesk.services.reports.pdf.appraisal import build_appraisal_record
from tests.reports.pdf.appraisals import signed_off_appraisal
from tests.reports.pdf.helpers import flat, pages_text


def _stamp(lists: int) -> dict[str, object]:
    return {
        "database": "/srv/office/research-security.sqlite3",
        "scoring_model": "rsdesk-default 2026.1+db730737d8",
        "screening_lists": [
            {
                "key": f"eu-consolidated-list-{n}",
                "name": f"List {n}",
                "version": f"2026-0{n}",
                "loaded_at": "2026-01-01 00:00:00",
                "sha256": "ab" * 32,
                "entries": 10,
            }
            for n in range(1, lists + 1)
        ],
        "audit_hash": "5a784b9ab740d237d723ff4998a6df02",
        "audit_entries": 8918,
        "rsdesk_version": "0.1.0",
        "generated_at": "2026-11-27 04:01:19 UTC",
    }


def _footer_text(stamp: dict[str, object]) -> str:
    context = document.ReportContext(title="Test", footer_stamp=archive.stamp_line(stamp))
    template = PageTemplate(id="page", frames=[document.frame_for(A4)], pagesize=A4)
    content = document.build(
        [Paragraph("Body", styles.sheet()["body"])],
        context,
        [template],
        title="Test",
        author="test",
        subject="test",
    )
    return flat(pages_text(content)[0])


def test_footer_prints_the_whole_stamp() -> None:
    # The portrait footer used to drop the stamp's last characters without a mark: "rsdesk 0.1"
    # for 0.1.0, and most of the list names once screening lists are loaded.
    for lists in (0, 3):
        stamp = _stamp(lists)
        text = _footer_text(stamp)

        def bare(value: str) -> str:
            # the parts (a long stamp breaks onto a second line between two of them)
            return value.replace("\u2026", "...").replace("\u00b7", "").replace(" ", "")

        assert bare(flat(archive.stamp_line(stamp))) in bare(text)
        assert "rsdesk 0.1.0" in text


def test_footer_too_long_even_on_two_lines_ends_with_an_ellipsis() -> None:
    font, size, lines = document.footer_lines("word \u00b7 " * 400, 300)
    assert len(lines) == 2
    assert lines[-1].endswith("\u2026")
    assert size >= 5.5


def test_numeric_headers_sit_over_their_figures() -> None:
    table = tables.simple_table(["Department", "People"], [["Physics", 3]], [200, 60])
    assert table._cellvalues[0][1].style.alignment != TA_RIGHT  # a text column by default
    table = tables.simple_table(
        ["Department", "People"], [["Physics", 3]], [200, 60], ["text", "int"]
    )
    head = table._cellvalues[0]
    assert head[0].style.alignment != TA_RIGHT
    assert head[1].style.alignment == TA_RIGHT


def test_change_in_points_is_the_difference_of_the_printed_percentages() -> None:
    # 88.7% and 97.3% print as 89% and 97%: the change must read 8 points, not 9
    assert _change(88.7, 97.3, percent=True) == "\u22128 pts"
    assert _change(120, 100) == "+20"


def test_record_names_dimensions_and_says_which_level_a_severe_factor_raised(db) -> None:
    # It used to read "gives the level Very high from the score alone; a severe factor raised it
    # from High", the levels the wrong way round; factors named their dimension by its code.
    with db.unit_of_work() as session:
        appraisal_id = signed_off_appraisal(session)
    with db.read() as session:
        view = workflow.get_appraisal(session, appraisal_id)
        assert view.result is not None
        # the stored result of a score that alone gives High, lifted to Very high
        result = dataclasses.replace(
            view.result, score_level="high", level="very_high", level_name="Very high"
        )
        content = build_appraisal_record(
            session, dataclasses.replace(view, result=result), archive.make_stamp(session, "x")
        )
    text = flat("\n".join(pages_text(content)))
    assert (
        f"Total score {result.total}, which alone gives the level High; a severe factor "
        "raised it to Very high."
    ) in text
    names = {d.id: d.name for d in result.dimensions}
    assert result.factors
    for factor in result.factors:
        assert flat(names[factor.dimension]) in text


def test_a_word_longer_than_its_column_is_broken_not_run_into_the_next_cell() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from rsdesk.services.reports.pdf import fonts

    layout = tables.TableLayout(("Partners", "Department"), (60.0, 60.0), ("text", "text"))
    maker = tables.CellMaker(layout)
    cell = maker.cell("Park Naukowo-Technologiczny w Łodzi", 0)
    assert isinstance(cell, str)
    lines = cell.split("\n")
    assert "".join(lines).replace(" ", "") == "ParkNaukowo-TechnologicznywŁodzi"
    for line in lines:
        assert stringWidth(line, fonts.BASE, tables.FONT_SIZE) <= maker.inner[0]


def test_every_listing_header_word_fits_its_column() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from rsdesk.services import registers
    from rsdesk.services.reports.pdf import fonts
    from rsdesk.services.reports.pdf.listing import PAGE, layout_for

    fonts.register()
    width = PAGE[0] - 2 * document.MARGIN
    for name in registers.names():
        layout = layout_for(registers.get(name), None, width)
        assert abs(sum(layout.widths) - width) < 0.5, name
        for label, column in zip(layout.labels, layout.widths, strict=True):
            for word in label.split():
                assert (
                    stringWidth(word, fonts.BOLD, tables.FONT_SIZE) + 2 * tables.PADDING <= column
                ), (name, label)
