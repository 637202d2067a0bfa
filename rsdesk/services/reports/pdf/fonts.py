"""Embedded fonts for every script, with a fallback font chosen per character.

reportlab's built-in fonts cover Latin-1 only. Partner and staff names come in Latin with
diacritics, Greek, Cyrillic, Arabic, Chinese, Japanese and Korean, so every report uses the
TrueType fonts shipped in ``resources/fonts`` (see its README for licences):

* ``RsSans`` / ``RsSans-Bold`` (DejaVu Sans): Latin, Greek, Cyrillic, Arabic presentation forms;
* ``RsCJK`` (Droid Sans Fallback): Chinese and Japanese;
* ``RsHangul`` (NanumSquare): Korean (Droid Sans Fallback has no Hangul syllables).

User text goes through :func:`markup` before it reaches a Paragraph: it is escaped (so ``<b>``,
``&`` and ``<link>`` print as typed), Arabic is shaped and put in visual (right-to-left) order,
and each run of characters the base font lacks is wrapped in ``<font name="RsCJK">``.
Graphics and canvas strings use :func:`single_font`, which picks one font for the whole string.
"""

from __future__ import annotations

import re
from functools import cache
from xml.sax.saxutils import escape

from rsdesk.resources import resource_path

BASE = "RsSans"
BOLD = "RsSans-Bold"
CJK = "RsCJK"
HANGUL = "RsHangul"

FILES = {
    BASE: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
    HANGUL: "NanumSquareR.ttf",
}
#: Fallback fonts, tried in order for a character the base font lacks.
FALLBACKS = (CJK, HANGUL)

#: Scripts written right to left (Hebrew, Arabic and its supplements and presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0600-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")


@cache
def register() -> None:
    """Registers the shipped fonts with reportlab (once per process)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file_name in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file_name))))
    # <b> inside a paragraph in RsSans switches to RsSans-Bold; CJK has no bold face.
    for bold, italic, name in ((0, 0, BASE), (1, 0, BOLD), (0, 1, BASE), (1, 1, BOLD)):
        addMapping(BASE, bold, italic, name)
    for name in FALLBACKS:
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)


@cache
def _coverage(name: str) -> frozenset[int]:
    register()
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def is_rtl(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters (Hebrew, Arabic)."""
    return bool(_RTL.search(text))


def shape(text: str) -> str:
    """Arabic letters in their joining forms (still in logical order)."""
    if not _ARABIC.search(text):
        return text
    import arabic_reshaper

    return str(arabic_reshaper.reshape(text))


def base_direction(text: str) -> str:
    """ "R" if the first letter with a direction is right-to-left, else "L" (Unicode rule P2)."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return "L"


def reorder(line: str, direction: str | None = None) -> str:
    """One *line* of shaped text in visual order (apply after wrapping, never before)."""
    if not _RTL.search(line):
        return line
    from bidi import get_display

    return str(get_display(line, base_dir=direction or base_direction(line)))


def visual(text: str) -> str:
    """Shapes Arabic and reorders right-to-left runs for display; other text is returned as is.

    reportlab draws glyphs left to right as given and knows nothing of joining forms, so the
    text must arrive shaped (arabic-reshaper) and in visual order (python-bidi). This treats the
    text as one line; text that may wrap should be shaped, wrapped, then reordered line by line
    (see ``tables.CellMaker``).
    """
    if not _RTL.search(text):
        return text
    return reorder(shape(text))


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Splits (already visual) text into ``(font name, text)`` runs by which font has the glyph.

    Spaces and characters no font has stay in the current run, so runs are as long as possible.
    """
    base = BOLD if bold else BASE
    if text.isascii():
        return [(base, text)] if text else []
    base_cover = _coverage(base)
    fallbacks = [(name, _coverage(name)) for name in FALLBACKS]
    result: list[tuple[str, str]] = []
    current = base
    start = 0
    for index, char in enumerate(text):
        code = ord(char)
        if char.isspace():
            font = current
        elif code in base_cover:
            font = base
        else:
            font = next((name for name, cover in fallbacks if code in cover), current)
        if font != current:
            if index > start:
                result.append((current, text[start:index]))
            current = font
            start = index
    if start < len(text):
        result.append((current, text[start:]))
    return result


def markup(text: object, bold: bool = False) -> str:
    """Paragraph markup for user text: escaped, shaped, with a font switch for each foreign run.

    ``bold`` is for text inside a bold style (its base font is RsSans-Bold).
    """
    if text is None:
        return ""
    value = str(text)
    if value.isascii():
        return escape(value)
    base = BOLD if bold else BASE
    parts = []
    for font, chunk in runs(visual(value), bold):
        escaped = escape(chunk)
        parts.append(escaped if font == base else f'<font name="{font}">{escaped}</font>')
    return "".join(parts)


def covers(font: str, text: str) -> bool:
    """Whether ``font`` has a glyph for every (non-space) character of ``text``."""
    cover = _coverage(font)
    return all(ord(c) in cover or c.isspace() for c in text)


def single_font(text: str, bold: bool = False) -> tuple[str, str]:
    """``(font name, visual text)`` for a string drawn in one font (chart labels, page headers).

    The fallback fonts also have Latin glyphs, so a label with any CJK character is drawn in one.
    """
    value = visual(text)
    base = BOLD if bold else BASE
    if value.isascii():
        return base, value
    base_cover = _coverage(base)
    missing = [ord(c) for c in value if ord(c) not in base_cover and not c.isspace()]
    if not missing:
        return base, value
    # The fallback that has most of the missing characters (both also have Latin glyphs).
    best = max(FALLBACKS, key=lambda name: sum(code in _coverage(name) for code in missing))
    return best, value
