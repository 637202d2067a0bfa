"""Long tables, fast: cells as plain strings where possible, laid out in chunks of a few hundred rows.

A single reportlab table of 10,000 rows lays out about three times slower than the same rows cut
into tables of a few hundred (it measures every row of the whole table at each page split). The
chunks sit one under the other with the same column widths, so they read as one table; on pages
where a table continues, the page template draws its header row (see :func:`band_templates`).

Cells are plain strings, wrapped with ``simpleSplit`` in the base font, which is far cheaper than
a Paragraph; only text that needs a fallback font (Chinese, Japanese, Korean) becomes a Paragraph.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageTemplate, Paragraph, Table, TableStyle

from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.reports.pdf import document, fonts, styles

CHUNK_ROWS = 200
FONT_SIZE = 7.5
LEADING = 9
PADDING = 3
V_PADDING = 2
#: Column kinds aligned to the right.
NUMERIC = frozenset({"int", "money"})
#: Lines a cell may take: a row must fit on a page (a landscape A4 frame holds about 50 lines),
#: or reportlab cannot place it at all. Longer text ends with a note saying how much is left out.
MAX_CELL_LINES = 36
#: Where the whole of a cut text can be read, for that note.
DEFAULT_OVERFLOW_NOTE = "full text in the register and its Excel export"


def format_value(value: Any, kind: str = "text") -> str:
    """A register value as printed text."""
    if value is None:
        return ""
    if kind in ("enum", "status", "risk"):
        return styles.label(value)
    if kind == "money" and isinstance(value, (int, float)):
        return f"{value:,.0f}".replace(",", "\u202f")
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class TableLayout:
    labels: tuple[str, ...]
    widths: tuple[float, ...]
    kinds: tuple[str, ...]
    #: What an empty cell of each column says ("Not appraised" for a collaboration's risk), as
    #: the register's view shows it; empty by default.
    empty_texts: tuple[str, ...] = ()

    @classmethod
    def proportional(
        cls, labels: Sequence[str], weights: Sequence[float], kinds: Sequence[str], width: float
    ) -> TableLayout:
        total = sum(weights) or 1
        return cls(tuple(labels), tuple(width * w / total for w in weights), tuple(kinds))


#: A cell: text in the base font, (font name, text) in one fallback font, or a Paragraph.
Cell: TypeAlias = str | tuple[str, str] | Paragraph


def wrap_chars(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points: at spaces where possible, else between characters
    (Chinese and Japanese have no spaces between words)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
                line = ""
            for char in word:
                if line and stringWidth(line + char, font, size) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def _consumed(text: str, lines: Sequence[str]) -> int:
    """How many characters of ``text`` the wrapped ``lines`` show (wrapping only drops the
    spaces and line breaks it breaks at, so each line is found after the previous one)."""
    position = 0
    for line in lines:
        found = text.find(line, position)
        if found < 0:
            break
        position = found + len(line)
    return position


class CellMaker:
    """Turns text into the cheapest cell that shows it in its column: whole, or up to
    :data:`MAX_CELL_LINES` lines and a note of how much more there is."""

    def __init__(
        self,
        layout: TableLayout,
        plain_fallback: bool = False,
        overflow_note: str = DEFAULT_OVERFLOW_NOTE,
    ) -> None:
        fonts.register()
        self.layout = layout
        self.overflow_note = overflow_note
        #: Text wholly in one fallback font becomes ``(font, text)`` rather than a Paragraph
        #: (only RowBlock draws such cells; reportlab Tables need Paragraphs).
        self.plain_fallback = plain_fallback
        self._cache: dict[tuple[int, str], Cell] = {}
        self.inner = [w - 2 * PADDING for w in layout.widths]
        self.style = styles.sheet()["cell"]
        self.style_right = styles.sheet()["cell_right"]

    def overflow(self, hidden: int) -> str:
        """The note ending a cut cell."""
        return f"\u2026 ({hidden:,} more characters; {self.overflow_note})"

    def _capped(self, text: str, lines: list[str], width: float, whole: bool) -> list[str]:
        """``lines`` (the wrapped start of ``text``; ``whole``: of all of it) cut to
        :data:`MAX_CELL_LINES` with the overflow note, or as they are when they fit."""
        if whole and len(lines) <= MAX_CELL_LINES:
            return lines
        note = wrap_chars(self.overflow(len(text)), fonts.BASE, FONT_SIZE, width)
        kept = lines[: MAX_CELL_LINES - len(note)]
        hidden = len(text) - _consumed(text, kept)
        return [*kept, *wrap_chars(self.overflow(hidden), fonts.BASE, FONT_SIZE, width)]

    def _paragraph(self, text: str, column: int) -> Paragraph:
        """Text needing several fonts, as a Paragraph; cut with the overflow note to a length
        that fits :data:`MAX_CELL_LINES` even in glyphs a full em wide, wrapped at words."""
        style = self.style_right if self.layout.kinds[column] in NUMERIC else self.style
        limit = MAX_CELL_LINES // 2 * max(1, int(self.inner[column] / FONT_SIZE))
        if len(text) <= limit:
            return Paragraph(fonts.markup(text), style)
        # the note on a line of its own, so that right-to-left text does not carry it along
        note = fonts.markup(self.overflow(len(text) - limit))
        return Paragraph(f"{fonts.markup(text[:limit])}<br/>{note}", style)

    def cell(self, text: str, column: int) -> Cell:
        if not text:
            return ""
        width = self.inner[column]
        # A whole audit entry can be 20,000 characters: wrap only what can be shown (no glyph
        # is narrower than a fifth of the font size).
        start = text[: MAX_CELL_LINES * (int(width / (0.2 * FONT_SIZE)) + 2)]
        if not text.isascii():
            font, _ = fonts.single_font(text)
            if font != fonts.BASE:
                if self.plain_fallback and fonts.covers(font, text):
                    lines = wrap_chars(start, font, FONT_SIZE, width)
                    if len(lines) <= MAX_CELL_LINES and len(start) == len(text):
                        return (font, "\n".join(lines))
                return self._paragraph(text, column)
            if fonts.is_rtl(text):
                # wrap in logical order, then put each line in visual order
                direction = fonts.base_direction(text)
                shaped = fonts.shape(text)
                lines = simpleSplit(shaped[: len(start)], fonts.BASE, FONT_SIZE, width)
                lines = self._capped(shaped, lines, width, len(start) >= len(shaped))
                return "\n".join(fonts.reorder(line, direction) for line in lines)
        if "\n" not in text and stringWidth(text, fonts.BASE, FONT_SIZE) <= width:
            return text
        lines = simpleSplit(start, fonts.BASE, FONT_SIZE, width)
        if any(stringWidth(line, fonts.BASE, FONT_SIZE) > width for line in lines):
            # a word longer than the column ("Naukowo-Technologiczny" in a narrow Partners
            # column) would run into the next cell: break it between characters instead
            lines = wrap_chars(start, fonts.BASE, FONT_SIZE, width)
        return "\n".join(self._capped(text, lines, width, len(start) == len(text)))

    def row(self, values: Sequence[Any]) -> list[Cell]:
        kinds = self.layout.kinds
        empty_texts = self.layout.empty_texts
        cache = self._cache
        cells: list[Cell] = []
        for index, value in enumerate(values):
            # Registers repeat themselves (kinds, statuses, departments, partners): measure and
            # wrap each distinct text once per column. Paragraphs are never shared.
            text = format_value(value, kinds[index])
            if not text and index < len(empty_texts):
                text = empty_texts[index]
            key = (index, text)
            cell = cache.get(key)
            if cell is None:
                cell = self.cell(text, index)
                if not isinstance(cell, Paragraph) and len(cache) < 200_000:
                    cache[key] = cell
            cells.append(cell)
        return cells


def _body_style(layout: TableLayout, header: bool) -> TableStyle:
    style = styles.table_style(header_rows=1 if header else 0)
    for index, kind in enumerate(layout.kinds):
        if kind in NUMERIC:
            style.add("ALIGN", (index, 0), (index, -1), "RIGHT")
    return style


def header_cells(layout: TableLayout) -> list[Paragraph]:
    """Column headers, right-aligned over numeric columns so that a label sits over its figures."""
    sheet = styles.sheet()
    return [
        Paragraph(
            fonts.markup(label, bold=True),
            sheet["cell_head_right" if kind in NUMERIC else "cell_head"],
        )
        for label, kind in zip(layout.labels, layout.kinds)
    ]


def header_table(layout: TableLayout) -> Table:
    """The column header row on its own (the first one under the title, and the page band)."""
    cells = header_cells(layout)
    return Table([cells], colWidths=list(layout.widths), style=_body_style(layout, header=True))


class RowBlock(Flowable):
    """Body rows of a long table, drawn straight onto the canvas.

    Looks like a house-style table without header (zebra rows, a rule under each row, top
    alignment, numbers right-aligned) but costs far less than a reportlab Table: row heights are
    known from the line count, a page split is a list slice, and all the plain-string cells of a
    block are written in one PDF text object instead of a state-saved text object per line.
    Paragraph cells (text in a fallback font) are drawn as Paragraphs.
    """

    def __init__(
        self,
        rows: list[list[Cell]],
        layout: TableLayout,
        heights: list[float] | None = None,
        first_index: int = 0,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.layout = layout
        self.first_index = first_index
        self.heights = heights if heights is not None else [self._height(r) for r in rows]

    def _height(self, row: list[Cell]) -> float:
        tallest = 0.0
        for column, cell in enumerate(row):
            if isinstance(cell, tuple):
                height = (cell[1].count("\n") + 1) * LEADING
            elif isinstance(cell, str):
                height = (cell.count("\n") + 1) * LEADING if cell else LEADING
            else:
                height = cell.wrap(self.layout.widths[column] - 2 * PADDING, 10_000)[1]
            tallest = max(tallest, height)
        return tallest + 2 * V_PADDING

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return sum(self.layout.widths), sum(self.heights)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        used = 0.0
        fit = 0
        for height in self.heights:
            if used + height > available_height:
                break
            used += height
            fit += 1
        if fit == 0:
            if available_height < self.heights[0] and self.heights[0] > 400:
                fit = 1  # a row taller than any page: let it overflow rather than loop
            else:
                return []
        if fit >= len(self.rows):
            return [self]
        return [
            RowBlock(self.rows[:fit], self.layout, self.heights[:fit], self.first_index),
            RowBlock(self.rows[fit:], self.layout, self.heights[fit:], self.first_index + fit),
        ]

    def draw(self) -> None:
        canvas = self.canv
        widths = self.layout.widths
        total_width = sum(widths)
        lefts = [sum(widths[:i]) for i in range(len(widths))]
        numeric = [kind in NUMERIC for kind in self.layout.kinds]
        tops = []
        y = sum(self.heights)
        for height in self.heights:
            tops.append(y)
            y -= height
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(styles.ZEBRA))
        for index, (top, height) in enumerate(zip(tops, self.heights)):
            if (self.first_index + index) % 2:
                canvas.rect(0, top - height, total_width, height, stroke=0, fill=1)
        canvas.setStrokeColor(colors.HexColor(styles.RULE))
        canvas.setLineWidth(0.25)
        path = canvas.beginPath()
        for top, height in zip(tops, self.heights):
            path.moveTo(0, top - height)
            path.lineTo(total_width, top - height)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.setFillColor(colors.HexColor(styles.INK))
        text = canvas.beginText()
        text.setFont(fonts.BASE, FONT_SIZE, LEADING)
        write = _TextWriter(canvas, text)
        paragraphs = []
        for row, top in zip(self.rows, tops):
            baseline = top - V_PADDING - FONT_SIZE
            for column, cell in enumerate(row):
                if not cell:
                    continue
                if isinstance(cell, Paragraph):
                    paragraphs.append((cell, column, top))
                    continue
                font, content = cell if isinstance(cell, tuple) else (fonts.BASE, cell)
                line_y = baseline
                for line in content.split("\n"):
                    if numeric[column]:
                        x = (
                            lefts[column]
                            + widths[column]
                            - PADDING
                            - stringWidth(line, font, FONT_SIZE)
                        )
                    else:
                        x = lefts[column] + PADDING
                    write(x, line_y, line, font)
                    line_y -= LEADING
        write.finish()
        canvas.drawText(text)
        for paragraph, column, top in paragraphs:
            _, height = paragraph.wrap(widths[column] - 2 * PADDING, 10_000)
            paragraph.drawOn(canvas, lefts[column] + PADDING, top - V_PADDING - height)
        canvas.restoreState()


class _TextWriter:
    """Writes lines in the base font straight into a text object's PDF code.

    reportlab's ``textOut`` splits each string into font subsets, escapes it and measures it
    every time; here each distinct line is encoded once per document and replayed (a subset
    code, once given to a character, never changes within a document), and nothing is measured.
    """

    def __init__(self, canvas: Any, text: Any) -> None:
        from reportlab.lib.rl_accel import fp_str
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canvas = canvas
        self.text = text
        self.fp_str = fp_str
        self.get_font = getFont
        self.doc = canvas._doc
        self.cache: dict[tuple[str, str], list[tuple[str, str]]] = canvas.__dict__.setdefault(
            "_rsdesk_encoded", {}
        )
        self.code = text._code
        self.current = ""
        self.select = f"{fp_str(FONT_SIZE)} Tf {fp_str(LEADING)} TL"

    def __call__(self, x: float, y: float, line: str, font_name: str = fonts.BASE) -> None:
        key = (font_name, line)
        parts = self.cache.get(key)
        if parts is None:
            font = self.get_font(font_name)
            parts = [
                (
                    f"{font.getSubsetInternalName(subset, self.doc)} {self.select}",
                    self.canvas._escape(chunk),
                )
                for subset, chunk in font.splitString(line, self.doc)
            ]
            self.cache[key] = parts
        append = self.code.append
        append(f"1 0 0 1 {self.fp_str(x, y)} Tm")
        for select, escaped in parts:
            if select != self.current:
                append(select)
                self.current = select
            append(f"({escaped}) Tj")

    def finish(self) -> None:
        # reportlab's own text calls after this block must select their font again
        self.text._curSubset = -1


def chunked_tables(
    rows: Iterable[Sequence[Any]],
    layout: TableLayout,
    *,
    chunk: int = CHUNK_ROWS,
    total: int = 0,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
    overflow_note: str = DEFAULT_OVERFLOW_NOTE,
) -> Iterator[Flowable]:
    """The rows as blocks of ``chunk`` rows each (no header row: see :func:`band_templates`)."""
    maker = CellMaker(layout, plain_fallback=True, overflow_note=overflow_note)
    batch: list[list[Cell]] = []
    done = 0
    for values in rows:
        batch.append(maker.row(values))
        if len(batch) == chunk:
            cancel.raise_if_cancelled()
            progress(done + len(batch), total, "Preparing the rows")
            yield RowBlock(batch, layout, first_index=done)
            done += len(batch)
            batch = []
    if batch:
        yield RowBlock(batch, layout, first_index=done)


def band_templates(
    pagesize: tuple[float, float],
    layout: TableLayout,
    first_id: str,
    continued_id: str,
    on_page: Callable[[Any, Any], None] | None = None,
) -> tuple[PageTemplate, PageTemplate]:
    """Two page templates for a long table: the page where it starts, and pages it continues on,
    which draw the header row at the top of the frame.
    """
    band = header_table(layout)
    _, band_height = band.wrap(sum(layout.widths), pagesize[1])
    width, height = pagesize

    form = f"rsdesk_band_{continued_id}"

    def draw_band(canvas: Any, doc: Any) -> None:
        # Drawn once as a PDF form and reused on every page: a header Table of Paragraphs
        # per page would cost as much as a fifth of a long listing.
        if on_page is not None:
            on_page(canvas, doc)
        if not canvas.hasForm(form):
            canvas.beginForm(form)
            band.drawOn(canvas, document.MARGIN, height - document.MARGIN - band_height)
            canvas.endForm()
        canvas.doForm(form)

    first = PageTemplate(
        id=first_id,
        frames=[document.frame_for(pagesize)],
        pagesize=pagesize,
        onPage=on_page or (lambda c, d: None),
    )
    continued = PageTemplate(
        id=continued_id,
        frames=[document.frame_for(pagesize, band=band_height)],
        pagesize=pagesize,
        onPage=draw_band,
    )
    return first, continued


def simple_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    kinds: Sequence[str] | None = None,
    colours: dict[tuple[int, int], str] | None = None,
) -> Table:
    """A short table (a few hundred rows at most) with its header row repeated on each page."""
    layout = TableLayout(tuple(header), tuple(widths), tuple(kinds or ["text"] * len(header)))
    maker = CellMaker(layout)
    head = header_cells(layout)
    body = [maker.row(row) for row in rows]
    style = _body_style(layout, header=True)
    for (col, row), colour in (colours or {}).items():
        style.add("BACKGROUND", (col, row + 1), (col, row + 1), colors.HexColor(colour))
    return Table([head, *body], colWidths=list(widths), style=style, repeatRows=1)
