"""Fonts for every script: the right font per run, escaped markup, shaped Arabic, real PDFs."""

from __future__ import annotations

import io
import unicodedata

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

from rsdesk.services.reports.pdf import fonts, styles
from tests.reports.pdf.data import WORLD_NAMES
from tests.reports.pdf.helpers import pages_text, qpdf_check


def test_fonts_are_shipped_with_their_licences() -> None:
    from rsdesk.resources import resource_path

    folder = resource_path("fonts")
    for file_name in fonts.FILES.values():
        assert (folder / file_name).stat().st_size > 100_000
    licences = sorted(p.name for p in folder.glob("LICENSE-*"))
    assert licences == [
        "LICENSE-Apache-2.0.txt",
        "LICENSE-DejaVu.txt",
        "LICENSE-DroidSansFallback.txt",
        "LICENSE-Nanum.txt",
    ]


def test_runs_pick_the_font_that_has_the_glyphs() -> None:
    assert fonts.runs("Université Αθήνα Москва") == [(fonts.BASE, "Université Αθήνα Москва")]
    assert fonts.runs("清华大学 and 서울대학교") == [
        (fonts.CJK, "清华大学 "),
        (fonts.BASE, "and "),
        (fonts.HANGUL, "서울대학교"),
    ]
    assert fonts.runs("東京", bold=True) == [(fonts.CJK, "東京")]
    assert fonts.runs("Zürich", bold=True) == [(fonts.BOLD, "Zürich")]


def test_markup_escapes_user_text() -> None:
    assert fonts.markup("<b>x</b> & <link>") == "&lt;b&gt;x&lt;/b&gt; &amp; &lt;link&gt;"
    assert fonts.markup("清华 <i>") == '<font name="RsCJK">清华 </font>&lt;i&gt;'
    assert fonts.markup(None) == ""


def test_arabic_is_shaped_and_in_visual_order() -> None:
    shown = fonts.visual("جامعة القاهرة")
    # joined presentation forms, laid out right to left: the last letter comes first
    assert all("\ufe70" <= c <= "\ufeff" or c == " " for c in shown)
    assert unicodedata.normalize("NFKC", shown) == "ةرهاقلا ةعماج"
    assert fonts.visual("plain text") == "plain text"


def test_single_font_for_labels() -> None:
    assert fonts.single_font("Physics")[0] == fonts.BASE
    assert fonts.single_font("物理学 Physics")[0] == fonts.CJK
    assert fonts.single_font("물리학과")[0] == fonts.HANGUL


def test_every_script_prints_in_a_pdf(tmp_path) -> None:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4)
    body = styles.sheet()["body"]
    names = [name for name, _ in WORLD_NAMES] + ["<b>bold?</b> & <link href='x'>"]
    document.build([Paragraph(fonts.markup(name), body) for name in names])
    content = buffer.getvalue()
    qpdf_check(content, tmp_path)
    text = pages_text(content)[0]
    for name in names:
        assert unicodedata.normalize("NFKC", name) in text, name


def test_wrapped_arabic_cell_reads_in_order() -> None:
    from rsdesk.services.reports.pdf import tables

    fonts.register()
    maker = tables.CellMaker(tables.TableLayout(("Partner",), (110.0,), ("text",)))
    name = "جامعة الرباط للعلوم والتكنولوجيا في المغرب العربي"
    lines = maker.cell(name, 0).split("\n")
    assert len(lines) > 1
    # each line, read right to left, continues the name where the line above stopped
    logical = [unicodedata.normalize("NFKC", line)[::-1] for line in lines]
    assert " ".join(logical) == name


def test_long_chinese_names_wrap_between_characters() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from rsdesk.services.reports.pdf import tables

    fonts.register()
    maker = tables.CellMaker(
        tables.TableLayout(("Partner",), (60.0,), ("text",)), plain_fallback=True
    )
    name = "中国科学院上海光学精密机械研究所"
    font, text = maker.cell(name, 0)
    assert font == fonts.CJK
    lines = text.split("\n")
    assert len(lines) > 1
    assert "".join(lines) == name
    for line in lines:
        assert stringWidth(line, font, tables.FONT_SIZE) <= 60 - 2 * tables.PADDING
