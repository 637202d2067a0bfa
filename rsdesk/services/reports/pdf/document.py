"""The page machinery every PDF report shares.

* "Page X of Y" in one pass: :class:`_DeferredCanvas` keeps each finished page and draws the
  running header and footer when the total is known (at save time).
* A table of contents in the same single pass: :class:`Heading` flowables record their page and
  add a PDF outline entry; :class:`TocPlaceholder` reserves a page that is filled in at save time.
  (``multiBuild`` would lay the whole report out twice, which costs seconds with a long appendix.)
* Every page's footer carries the short stamp of what the report was made from.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import LayoutError

from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.reports.pdf import fonts, styles

MARGIN = 16 * mm
#: How often the layout looks at Cancel and reports progress: every so many flowables placed
#: (a listing's flowable is a block of 200 rows) and every so many pages written.
CANCEL_EVERY_FLOWABLES = 5
CANCEL_EVERY_PAGES = 20
LAYING_OUT = "Laying out the pages"
WRITING = "Writing the pages"


@dataclass
class TocEntry:
    title: str
    level: int
    page: int
    key: str


@dataclass
class ReportContext:
    """What the pages need to know: running header, footer stamp, TOC entries, cover pages."""

    title: str
    header_right: str = ""
    footer_stamp: str = ""
    #: Pages (1-based) without running header and footer (the cover).
    bare_pages: set[int] = field(default_factory=set)
    toc: list[TocEntry] = field(default_factory=list)
    toc_page: int | None = None


class Heading(Paragraph):
    """A section heading that records itself in the table of contents and the PDF outline."""

    def __init__(self, text: str, style: Any, context: ReportContext, level: int = 0) -> None:
        super().__init__(fonts.markup(text, bold=True), style)
        self._toc_title = text
        self._toc_level = level
        self._context = context

    def draw(self) -> None:
        key = f"h{len(self._context.toc)}"
        canvas = self.canv
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(self._toc_title, key, level=self._toc_level, closed=False)
        self._context.toc.append(
            TocEntry(self._toc_title, self._toc_level, canvas.getPageNumber(), key)
        )
        super().draw()


class TocPlaceholder(Flowable):
    """Reserves the current page for the table of contents, drawn when all pages are known."""

    def __init__(self, context: ReportContext) -> None:
        super().__init__()
        self._context = context

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self._context.toc_page = self.canv.getPageNumber()


def _deferred_canvas(
    context: ReportContext,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> type[Canvas]:
    class _DeferredCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages):
                if number % CANCEL_EVERY_PAGES == 0:
                    cancel.raise_if_cancelled()
                    progress(number, total, WRITING)
                self.__dict__.update(state)
                _decorate(self, context, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return _DeferredCanvas


def _decorate(canvas: Canvas, context: ReportContext, page: int, total: int) -> None:
    width, height = canvas._pagesize
    canvas.saveState()
    if page == context.toc_page:
        _draw_toc(canvas, context, width, height)
    if page not in context.bare_pages:
        ink = colors.HexColor(styles.MUTED)
        canvas.setStrokeColor(colors.HexColor(styles.RULE))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - MARGIN + 2 * mm, width - MARGIN, height - MARGIN + 2 * mm)
        canvas.line(MARGIN, MARGIN - 2 * mm, width - MARGIN, MARGIN - 2 * mm)
        canvas.setFillColor(ink)
        font, text = fonts.single_font(context.title, bold=True)
        canvas.setFont(font, 8)
        canvas.drawString(MARGIN, height - MARGIN + 4 * mm, text)
        if context.header_right:
            font, text = fonts.single_font(context.header_right)
            canvas.setFont(font, 8)
            canvas.drawRightString(width - MARGIN, height - MARGIN + 4 * mm, text)
        canvas.setFont(fonts.BASE, 8)
        canvas.drawRightString(width - MARGIN, MARGIN - 6 * mm, f"Page {page} of {total}")
        if context.footer_stamp:
            room = (
                width - 2 * MARGIN - canvas.stringWidth(f"Page {total} of {total}", fonts.BASE, 8)
            )
            room -= 6 * mm
            font, size, lines = footer_lines(context.footer_stamp, room)
            canvas.setFont(font, size)
            for index, line in enumerate(lines):
                canvas.drawString(MARGIN, MARGIN - 6 * mm - index * (size + 1.5), line)
    canvas.restoreState()


def footer_lines(stamp: str, room: float) -> tuple[str, float, list[str]]:
    """The footer stamp as the lines to print: one line at a legible size if it fits, else two
    lines split between its parts (a stamp naming several screening lists is long). Cut with an
    ellipsis only if even two lines cannot hold it: a silently cut stamp (``rsdesk 0.1`` for
    ``0.1.0``) would state something false about what the report was made from."""
    font, text = fonts.single_font(stamp)
    for size in (6.5, 6.0, 5.5):
        if stringWidth(text, font, size) <= room:
            return font, size, [text]
    size = 5.5
    parts = text.split(" \u00b7 ")
    lines: list[str] = []
    line = ""
    for part in parts:
        candidate = f"{line} \u00b7 {part}" if line else part
        if line and stringWidth(candidate, font, size) > room:
            lines.append(line)
            line = part
        else:
            line = candidate
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " \u00b7 ".join(lines[1:])]
    for index, line in enumerate(lines):
        if stringWidth(line, font, size) > room:
            while line and stringWidth(line + "\u2026", font, size) > room:
                line = line[:-1]
            lines[index] = line + "\u2026"
    return font, size, lines


def _draw_toc(canvas: Canvas, context: ReportContext, width: float, height: float) -> None:
    canvas.setFillColor(colors.HexColor(styles.HEADER_FILL))
    canvas.setFont(fonts.BOLD, 16)
    y = height - MARGIN - 10 * mm
    canvas.drawString(MARGIN, y, "Contents")
    y -= 12 * mm
    canvas.setFillColor(colors.HexColor(styles.INK))
    for entry in context.toc:
        if y < MARGIN:
            break
        indent = MARGIN + entry.level * 8 * mm
        size = 10.5 if entry.level == 0 else 9
        font, text = fonts.single_font(entry.title, bold=entry.level == 0)
        canvas.setFont(font, size)
        canvas.drawString(indent, y, text)
        canvas.setFont(fonts.BASE, size)
        number = str(entry.page)
        canvas.drawRightString(width - MARGIN, y, number)
        # dotted leader between the title and the page number
        start = indent + canvas.stringWidth(text, font, size) + 2 * mm
        end = width - MARGIN - canvas.stringWidth(number, fonts.BASE, size) - 2 * mm
        if end > start:
            canvas.setDash(1, 2)
            canvas.setStrokeColor(colors.HexColor(styles.RULE))
            canvas.line(start, y + 1, end, y + 1)
            canvas.setDash()
        canvas.linkRect("", entry.key, (indent, y - 2, width - MARGIN, y + size), relative=0)
        y -= 7 * mm if entry.level == 0 else 5.5 * mm


def frame_for(pagesize: tuple[float, float], band: float = 0, name: str = "body") -> Frame:
    """The content frame inside the margins, less ``band`` points at the top (a header band)."""
    width, height = pagesize
    return Frame(
        MARGIN,
        MARGIN,
        width - 2 * MARGIN,
        height - 2 * MARGIN - band,
        id=name,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def build(
    story: Sequence[Flowable],
    context: ReportContext,
    templates: Sequence[PageTemplate],
    *,
    title: str,
    author: str,
    subject: str,
    keywords: str = "",
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> bytes:
    """Lays ``story`` out on ``templates`` (the first one starts) and returns the PDF's bytes.

    Laying out is most of a long report's time (24 s for a 96,899-row listing), so ``cancel``
    is honoured during it and while the pages are written, not only while the rows are read.
    """
    fonts.register()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=templates[0].pagesize,
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        creator="rsdesk",
        pageTemplates=list(templates),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    flowables = list(story)
    total = len(flowables)
    placed = 0

    def after_flowable(_flowable: Flowable) -> None:
        nonlocal placed
        placed += 1
        if placed % CANCEL_EVERY_FLOWABLES == 0:
            cancel.raise_if_cancelled()
            # reportlab consumes the list in place (a split flowable's rest goes back in front),
            # so what is left of it says how far the layout is; counting calls would count each
            # page's piece of a 200-row block.
            progress(max(0, total - len(flowables)), total, LAYING_OUT)

    document.afterFlowable = after_flowable  # type: ignore[method-assign]
    cancel.raise_if_cancelled()
    try:
        document.build(flowables, canvasmaker=_deferred_canvas(context, progress, cancel))
    except LayoutError as exc:
        # A flowable no page can hold: the table code keeps every row to a page, so this is a
        # bug, but the user gets one sentence rather than reportlab's dump of the flowable.
        from rsdesk.services.errors import KnownError

        raise KnownError(
            f"The report \u201c{title}\u201d could not be laid out: something in it does not "
            "fit on a page. Please report this to the rsdesk maintainers"
        ) from exc
    return buffer.getvalue()
