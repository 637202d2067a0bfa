"""The annual report managers print and internal audit files.

Cover (institution name and logo from the settings, year, date of generation), contents, an
executive summary with the previous year beside each figure, charts, the tables that need action
(high-risk collaborations, overdue reviews and measures, onboarding exceptions, training gaps),
the method, the audit statement with the report's stamp, and the register of the year's
collaborations as an appendix. Every section says so in a sentence when it has nothing to show.

Figures come from :mod:`rsdesk.services.reports.figures` (definitions there).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from sqlalchemy.orm import Session

from rsdesk.services import audit, registers
from rsdesk.services import settings as settings_service
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.registers.base import RegisterQuery, filtered, ordered
from rsdesk.services.reports import archive, figures
from rsdesk.services.reports.pdf import charts, document, fonts, styles, tables
from rsdesk.services.reports.pdf.listing import layout_for
from rsdesk.services.wording import counted

PORTRAIT = A4
LANDSCAPE = landscape(A4)
#: Rows shown in each action table; the rest are counted and left to the register listings.
TABLE_LIMIT = 100
PRINCIPLES = (
    "The appraisal follows the EU Council Recommendation on research security (2024). It is "
    "<b>risk-based and proportionate</b>: effort and safeguards grow with the risk found, so that a "
    "low-risk exchange is recorded in minutes and only high-risk work receives conditions, senior "
    "sign-off and an early review. It is <b>country-agnostic</b>: the scoring model never reads a "
    "partner's country; a partner's legal and governance context matters only through questions "
    "about that partner's own situation, and countries appear in this report as statistics only. "
    "It is <b>transparent</b>: every score can be traced to the answers that raised it, and a "
    "severe factor (for example a partner on a sanctions list) sets a minimum level on its own, so "
    "that averages cannot hide it. The aim is to say \u201cyes, with these safeguards\u201d as "
    "often as possible: as open as possible, as closed as necessary."
)
DEFINITIONS = (
    "<b>Definitions.</b> The year's collaborations are those that started in the year and those "
    "appraised in it. Levels and decisions count the appraisals signed off in the year; a review "
    "is a re-appraisal. Measures agreed belong to those appraisals; open and overdue measures, "
    "overdue reviews and training compliance are counted at the year's end (at the date of "
    "generation for the current year). A measure counts as completed in the year it was marked "
    "done (its completion date), whichever year it was agreed in; the summary gives apart those "
    "agreed in the year and those agreed earlier. High or very high risk counts collaborations "
    "with an appraisal at that level signed off in the year, each once, as the high-risk table "
    "lists them; the rows by risk level count appraisals. Training compliance counts the people "
    "employed on that date and the courses they had completed by then that were still valid on "
    "it. Onboarding completion counts the checks due in the year (for the current year, those due "
    "by the date of generation) that are done, waived or not applicable; checks of people who have "
    "left are not counted, and an open check past its due date reads Overdue."
)


@dataclass(frozen=True)
class AnnualData:
    year: int
    generated_at: dt.datetime
    institution: str
    logo: bytes | None
    logo_size: tuple[int, int] | None
    current: figures.YearFigures
    previous: figures.YearFigures
    breakdowns: figures.Breakdowns
    high_risk: tuple[list[figures.HighRiskRow], int]
    reviews: tuple[list[figures.ReviewRow], int]
    measures: tuple[list[figures.MeasureRow], int, int]
    onboarding: tuple[list[figures.OnboardingRow], int]
    training: list[figures.TrainingGapRow]
    model: Any
    audit_entries_in_year: int
    audit_result: audit.VerifyResult
    #: Sensitive assets, advice requests and responsibilities (#12; pdf/protection.py).
    protection: Any = None
    #: Level id -> who signs off, in the office's words once it has saved its rules.
    sign_off_by: dict[str, str] = field(default_factory=dict)
    #: What the onboarding exceptions table holds, for its caption.
    onboarding_counts: figures.OnboardingExceptionCounts | None = None


def gather(
    session: Session,
    year: int,
    *,
    today: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> AnnualData:
    """Everything the report shows, read in one session (SQL aggregates and capped lists)."""
    from rsdesk.services.appraisal import load_model
    from rsdesk.services.errors import KnownError

    steps = 9
    progress(0, steps, "Reading the year's figures")
    current = figures.year_figures(session, year, today)
    previous = figures.year_figures(session, year - 1, today)
    cancel.raise_if_cancelled()
    progress(2, steps, "Reading the breakdowns")
    breakdowns = figures.breakdowns(session, year)
    as_of = current.as_of
    high_risk = figures.high_risk(session, year, TABLE_LIMIT, today)
    reviews = figures.overdue_reviews(session, as_of, TABLE_LIMIT, today)
    measures = figures.overdue_measures(session, as_of, TABLE_LIMIT)
    cancel.raise_if_cancelled()
    progress(4, steps, "Reading onboarding and training")
    onboarding = figures.onboarding_exceptions(session, year, TABLE_LIMIT, today)
    onboarding_counts = figures.onboarding_exception_counts(session, year, today)
    training = figures.training_by_department(session, as_of)
    settings = settings_service.load(session)
    try:
        model = load_model(session=session)
    except KnownError:
        model = None
    cancel.raise_if_cancelled()
    progress(6, steps, "Verifying the audit trail")
    since, until = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    entries = audit.entry_count(session, since, until)
    result = audit.verify(session, cancel=cancel)
    from rsdesk.services.reports.pdf import protection

    protection_data = protection.gather(session, year, as_of)
    progress(8, steps, "Laying out the report")
    logo = settings.logo
    return AnnualData(
        year=year,
        generated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        institution=settings.institution_name,
        logo=logo.data if logo else None,
        logo_size=(logo.width, logo.height) if logo else None,
        current=current,
        previous=previous,
        breakdowns=breakdowns,
        high_risk=high_risk,
        reviews=reviews,
        measures=measures,
        onboarding=onboarding,
        onboarding_counts=onboarding_counts,
        training=training,
        model=model,
        audit_entries_in_year=entries,
        audit_result=result,
        protection=protection_data,
        sign_off_by=_sign_off_texts(session, model),
    )


def _sign_off_texts(session: Session, model: Any) -> dict[str, str]:
    if model is None:
        return {}
    from rsdesk.services import responsibilities

    return responsibilities.sign_off_texts(session, model)


# --- helpers ---------------------------------------------------------------------------------


def _p(text: str, style: str = "body") -> Paragraph:
    """A paragraph of *our* text (may hold markup); user text goes through fonts.markup."""
    return Paragraph(text, styles.sheet()[style])


def _u(text: Any, style: str = "body") -> Paragraph:
    """A paragraph of user text: escaped, shaped, with fallback fonts."""
    return Paragraph(fonts.markup(text), styles.sheet()[style])


def _pct(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.0f}%"


def _n(value: int | None) -> str:
    return "\u2013" if value is None else f"{value:,}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "\u2013"


def _year_so_far(figures_: figures.YearFigures) -> bool:
    """The current year, whose figures stop at the report's date rather than 31 December."""
    return figures_.as_of < dt.date(figures_.year, 12, 31)


def _onboarding_period(figures_: figures.YearFigures) -> str:
    """Words for the period: in 2025 for a whole year; so far in 2026 (by 2026-11-27) for the
    current one, whose checks due after the report's date are not counted yet."""
    if _year_so_far(figures_):
        return f"so far in {figures_.year} (by {_date(figures_.as_of)})"
    return f"in {figures_.year}"


def _onboarding_due_label(figures_: figures.YearFigures) -> str:
    if _year_so_far(figures_):
        return f"Onboarding checks due (by {_date(figures_.as_of)})"
    return "Onboarding checks due"


def _exceptions_caption(
    counts: figures.OnboardingExceptionCounts, figures_: figures.YearFigures
) -> str:
    """What the exceptions table lists, in terms of the figure above it: overdue checks fall
    due in any year (the table went back to 2014 under "4 of 49 checks due so far in 2026")."""
    year, parts = figures_.year, []
    if counts.overdue:
        earlier = counts.overdue - counts.overdue_in_year
        if not earlier:
            when = f"due in {year}" if counts.overdue == 1 else f"all due in {year}"
        elif not counts.overdue_in_year:
            when = "from earlier years, not in the figure above"
        else:
            years = "an earlier year" if earlier == 1 else "earlier years"
            when = (
                f"{counts.overdue_in_year:,} of them due in {year}, {earlier:,} from {years} "
                "and not in the figure above"
            )
        its, it = ("its", "it") if counts.overdue == 1 else ("their", "they")
        parts.append(
            f"the {counted(counts.overdue, 'open check')} past {its} due date on "
            f"{_date(figures_.as_of)}, whatever the year {it} fell due ({when})"
        )
    if counts.waived:
        were = "was" if counts.waived == 1 else "were"
        parts.append(f"the {counted(counts.waived, 'check')} due in {year} that {were} waived")
    return "Below: " + ", and ".join(parts) + "."


def _change(now: float | None, before: float | None, percent: bool = False) -> str:
    if now is None or before is None:
        return ""
    if percent:
        # the change between the percentages as printed, so that the row adds up (89% after
        # 97% is 8 points, even when the unrounded values are 8.6 apart)
        now, before = round(now), round(before)
    delta = now - before
    if abs(delta) < 0.5:
        return "="
    sign = "+" if delta > 0 else "\u2212"
    unit = (" pt" if round(abs(delta)) == 1 else " pts") if percent else ""
    return f"{sign}{abs(delta):,.0f}{unit}"


def _more(shown: int, total: int, what: str) -> list[Any]:
    if total > shown:
        return [
            _p(
                f"Showing {shown:,} of {total:,} {what}; the register listings give them all.",
                "muted",
            )
        ]
    return []


# --- sections --------------------------------------------------------------------------------


def _cover(data: AnnualData, width: float) -> list[Any]:
    story: list[Any] = [Spacer(1, 30 * mm)]
    if data.logo and data.logo_size:
        w, h = data.logo_size
        scale = min(60 * mm / w, 30 * mm / h)
        image = Image(io.BytesIO(data.logo), width=w * scale, height=h * scale)
        image.hAlign = "LEFT"
        story += [image, Spacer(1, 12 * mm)]
    institution = data.institution or "Research security office"
    story += [
        Paragraph(fonts.markup(institution, bold=True), styles.sheet()["subtitle"]),
        Spacer(1, 6 * mm),
        _p(f"Research security<br/>annual report {data.year}", "title"),
        Spacer(1, 4 * mm),
        _p(
            f"Generated on {data.generated_at:%d %B %Y at %H:%M} UTC. Figures at "
            f"{data.current.as_of:%d %B %Y}.",
            "subtitle",
        ),
        Spacer(1, 60 * mm),
        _p(
            "This report summarises the research-security work of the year: the international "
            "collaborations appraised and their risk levels, the safeguards agreed and whether "
            "they were carried out, reviews, staff onboarding checks and training, and a "
            "statement on the integrity of the audit trail. It is produced by rsdesk from the "
            "office's register; the last line of every page records what it was made from.",
            "muted",
        ),
    ]
    return story


def _tiles(data: AnnualData, width: float) -> Table:
    c = data.current
    tiles = [
        (f"{c.collaborations:,}", "collaborations in the year"),
        (f"{c.appraised:,}", "collaborations appraised"),
        (f"{c.high_risk_collaborations:,}", "collaborations rated high or very high"),
        (f"{c.measures_overdue:,}", "measures overdue"),
    ]
    sheet = styles.sheet()
    cells = [
        [Paragraph(value, sheet["figure"]), Paragraph(label, sheet["figure_label"])]
        for value, label in tiles
    ]
    table = Table(
        [[cell[0] for cell in cells], [cell[1] for cell in cells]], colWidths=[width / 4] * 4
    )
    table.setStyle(
        [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(styles.ZEBRA)),
            ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
            ("TOPPADDING", (0, 0), (-1, 0), 8),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
        ]
    )
    return table


def _summary(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    c, p = data.current, data.previous
    y, py = data.year, data.year - 1
    rows: list[tuple[str, Any, Any, bool]] = [
        ("The year's collaborations", c.collaborations, p.collaborations, False),
        ("Collaborations appraised", c.appraised, p.appraised, False),
        ("Appraisals signed off", c.appraisals, p.appraisals, False),
    ]
    rows += [
        (f"\u2003decision: {a.label.lower()}", a.value, b.value, False)
        for a, b in zip(c.by_decision, p.by_decision)
    ]
    rows += [
        (f"\u2003risk level: {a.label.lower()}", a.value, b.value, False)
        for a, b in zip(c.by_level, p.by_level)
    ]
    rows += [
        ("Measures agreed", c.measures_agreed, p.measures_agreed, False),
        ("Measures completed", c.measures_completed, p.measures_completed, False),
        (
            "\u2003agreed in the year",
            c.measures_agreed_completed,
            p.measures_agreed_completed,
            False,
        ),
        (
            "\u2003agreed in earlier years",
            c.measures_earlier_completed,
            p.measures_earlier_completed,
            False,
        ),
        ("Measures open at the year's end", c.measures_open, p.measures_open, False),
        ("\u2003of which overdue", c.measures_overdue, p.measures_overdue, False),
        ("Reviews done (re-appraisals)", c.reviews_done, p.reviews_done, False),
        ("Reviews overdue at the year's end", c.reviews_overdue, p.reviews_overdue, False),
        (_onboarding_due_label(c), c.onboarding_due, p.onboarding_due, False),
        ("Onboarding completion", c.onboarding_percent, p.onboarding_percent, True),
        (
            "Required trainings (staff employed then)",
            c.training_required,
            p.training_required,
            False,
        ),
        ("Training compliance", c.training_percent, p.training_percent, True),
    ]
    table_rows = [
        [
            label,
            _pct(now) if pct else _n(now),
            _pct(before) if pct else _n(before),
            _change(now, before, pct),
        ]
        for label, now, before, pct in rows
    ]
    table = tables.simple_table(
        ["Figure", str(y), str(py), "Change"],
        table_rows,
        [width * 0.52, width * 0.16, width * 0.16, width * 0.16],
        ["text", "int", "int", "int"],
    )
    story: list[Any] = [
        document.Heading("Executive summary", styles.sheet()["h1"], context),
        _tiles(data, width),
        Spacer(1, 6 * mm),
        _p(_narrative(data)),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        _p(DEFINITIONS, "muted"),
    ]
    return story


def _narrative(data: AnnualData) -> str:
    c = data.current
    if c.appraisals == 0 and c.collaborations == 0:
        return (
            f"No collaborations were registered or appraised in {data.year}, so most figures "
            "below are zero; the sections that follow say where there is nothing to show."
        )
    y = data.year
    parts = [
        f"In {y} the office recorded {counted(c.collaborations, 'collaboration')} and signed off "
        f"{counted(c.appraisals, 'appraisal')} of {counted(c.appraised, 'collaboration')}",
    ]
    if c.appraised:
        high = c.high_risk_collaborations
        parts.append(
            f"; {high:,} of these collaborations ({100 * high / c.appraised:.0f}%) "
            f"{_were(high)} rated high or very high"
        )
    parts.append(". ")
    agreed, of_them = c.measures_agreed, c.measures_agreed_completed
    earlier = c.measures_earlier_completed
    if agreed:
        parts.append(
            f"{counted(agreed, 'mitigation measure')} {_were(agreed)} agreed in {y}, "
            f"{of_them:,} of them completed in the year"
        )
        if earlier:
            parts.append(
                f"; {counted(earlier, 'measure')} agreed in earlier years {_were(earlier)} "
                "also completed"
            )
    else:
        parts.append(f"No mitigation measures were agreed in {y}")
        if earlier:
            parts.append(
                f"; {counted(earlier, 'measure')} agreed in earlier years {_were(earlier)} "
                "completed"
            )
    parts.append(
        f". {counted(c.measures_overdue, 'open measure')} and "
        f"{counted(c.reviews_overdue, 'review')} were overdue on {c.as_of:%d %B %Y}."
    )
    return "".join(parts)


def _were(number: int) -> str:
    return "was" if number == 1 else "were"


def _chart_block(title: str, drawing: Any, note: str | None = None) -> Any:
    parts = [_p(f"<b>{title}</b>", "h2"), drawing]
    if note:
        parts.append(_p(note, "muted"))
    parts.append(Spacer(1, 4 * mm))
    return KeepTogether(parts)


def _empty(text: str) -> Paragraph:
    return _p(f"<i>{text}</i>", "muted")


def _appraisals(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    b = data.breakdowns
    story: list[Any] = [
        PageBreak(),
        document.Heading("Risk appraisals", styles.sheet()["h1"], context),
    ]
    levels = [(item.label, item.value) for item in b.by_level]
    if sum(v for _, v in levels) == 0:
        story.append(
            _empty(
                f"No appraisals were signed off in {data.year}, so there are no "
                "risk levels to chart."
            )
        )
    else:
        colours = [
            styles.RISK_COLOURS.get(item.key or None, styles.RISK_COLOURS[None])
            for item in b.by_level
        ]
        story.append(_chart_block("Appraisals by risk level", charts.pie(levels, colours, width)))
    quarters = [f"Q{q} {data.year}" for q, _, _ in b.per_quarter]
    if sum(a + r for _, a, r in b.per_quarter):
        story.append(
            _chart_block(
                "Appraisals signed off per quarter",
                charts.grouped_columns(
                    quarters,
                    [
                        ("First appraisals", [a for _, a, _ in b.per_quarter]),
                        ("Re-appraisals (reviews)", [r for _, _, r in b.per_quarter]),
                    ],
                    width,
                ),
            )
        )
    story += _high_risk_table(data, context, width)
    return story


def _high_risk_table(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    rows, total = data.high_risk
    story: list[Any] = [
        CondPageBreak(60 * mm),
        document.Heading(
            "High and very high risk collaborations", styles.sheet()["h2"], context, level=1
        ),
    ]
    if not rows:
        story.append(
            _empty(f"No collaboration appraised in {data.year} was rated high or very high.")
        )
        return story
    body = [
        [
            r.reference,
            r.title,
            r.partners,
            styles.label(r.level),
            styles.label(r.decision),
            f"{r.measures_done}/{r.measures_total}"
            + (f" ({r.measures_overdue} overdue)" if r.measures_overdue else ""),
            _date(r.next_review),
        ]
        for r in rows
    ]
    colours = {(3, i): styles.RISK_TINTS[r.level] for i, r in enumerate(rows)}
    story.append(
        tables.simple_table(
            ["Reference", "Title", "Partners", "Level", "Decision", "Measures done", "Next review"],
            body,
            [w * width for w in (0.12, 0.25, 0.2, 0.09, 0.12, 0.11, 0.11)],
            colours=colours,
        )
    )
    story += _more(len(rows), total, "high and very high risk collaborations")
    return story


def _collaborations(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    b = data.breakdowns
    story: list[Any] = [
        PageBreak(),
        document.Heading("The year's collaborations", styles.sheet()["h1"], context),
    ]
    if data.current.collaborations == 0:
        story.append(_empty(f"No collaborations started or were appraised in {data.year}."))
        return story
    story.append(
        _chart_block(
            "By EU critical technology area",
            charts.horizontal_bars(
                [(i.label, i.value) for i in b.by_technology], width, label_share=0.5
            ),
            "A collaboration touching several areas counts in each. The first four areas are those "
            "the Commission singled out as the most sensitive.",
        )
    )
    story.append(
        _chart_block(
            "By kind of collaboration",
            charts.horizontal_bars(
                [(i.label, i.value) for i in b.by_kind], width, colours=[styles.PALETTE[1]]
            ),
        )
    )
    if b.by_country:
        story.append(
            _chart_block(
                "By partner country (statistics only)",
                charts.horizontal_bars(
                    [(i.label, i.value) for i in b.by_country],
                    width,
                    colours=[styles.PALETTE[2]],
                    label_share=0.2,
                ),
                "Countries are counted for statistics only: the appraisal never scores a country. "
                "A collaboration with partners in several countries counts in each.",
            )
        )
    else:
        story.append(_empty("No partners are linked to the year's collaborations."))
    return story


def _follow_up(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    sheet = styles.sheet()
    as_of = data.current.as_of
    story: list[Any] = [
        PageBreak(),
        document.Heading("Reviews and measures", sheet["h1"], context),
        document.Heading("Overdue reviews", sheet["h2"], context, level=1),
    ]
    rows, total = data.reviews
    if rows:
        story.append(
            tables.simple_table(
                ["Reference", "Title", "Level", "Review due", "Days overdue"],
                [
                    [
                        r.reference,
                        r.title,
                        styles.label(r.level),
                        _date(r.next_review),
                        r.days_overdue,
                    ]
                    for r in rows
                ],
                [w * width for w in (0.15, 0.5, 0.11, 0.12, 0.12)],
                ["text", "text", "text", "text", "int"],
            )
        )
        story += _more(len(rows), total, "overdue reviews")
    else:
        story.append(_empty(f"No review was overdue on {as_of:%d %B %Y}."))
    story.append(document.Heading("Open and overdue measures", sheet["h2"], context, level=1))
    rows_m, open_total, overdue_total = data.measures
    if open_total:
        story.append(
            _p(
                f"{open_total:,} measures were open on {as_of:%d %B %Y}, "
                f"{overdue_total:,} of them past their due date."
            )
        )
    else:
        story.append(_empty(f"No measure was open on {as_of:%d %B %Y}."))
    if rows_m:
        story.append(Spacer(1, 2 * mm))
        story.append(
            tables.simple_table(
                ["Collaboration", "Measure", "Owner", "Due", "Status", "Days overdue"],
                [
                    [
                        r.reference,
                        r.description,
                        r.owner or "",
                        _date(r.due),
                        styles.label(r.status),
                        r.days_overdue,
                    ]
                    for r in rows_m
                ],
                [w * width for w in (0.14, 0.4, 0.16, 0.1, 0.1, 0.1)],
                ["text", "text", "text", "text", "text", "int"],
            )
        )
        story += _more(len(rows_m), overdue_total, "overdue measures")
    return story


def _people(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    sheet = styles.sheet()
    story: list[Any] = [
        PageBreak(),
        document.Heading("People: onboarding and training", sheet["h1"], context),
        document.Heading("Onboarding exceptions", sheet["h2"], context, level=1),
    ]
    rows, total = data.onboarding
    c = data.current
    when = _onboarding_period(c)
    if c.onboarding_due:
        story.append(
            _p(
                f"{c.onboarding_completed:,} of {c.onboarding_due:,} onboarding checks due "
                f"{when} were completed, waived or not applicable "
                f"({_pct(c.onboarding_percent)})."
            )
        )
    elif rows:
        story.append(
            _empty(f"No onboarding checks fell due {when}; those below are overdue from before.")
        )
    else:
        story.append(
            _empty(
                f"No onboarding checks were due {when}: no staff were added, "
                "or staff records are kept elsewhere."
            )
        )
    if rows:
        if data.onboarding_counts is not None:
            story.append(_p(_exceptions_caption(data.onboarding_counts, c)))
        story.append(Spacer(1, 2 * mm))
        story.append(
            tables.simple_table(
                ["Staff member", "Department", "Check", "Due", "Status", "Note"],
                [
                    [
                        r.staff,
                        r.department or "",
                        r.check,
                        _date(r.due),
                        styles.label(r.status),
                        r.note or "",
                    ]
                    for r in rows
                ],
                # The note is wide enough for "Renewal of 2025-10-27" on one line.
                [w * width for w in (0.17, 0.15, 0.25, 0.1, 0.1, 0.23)],
            )
        )
        story += _more(len(rows), total, "onboarding exceptions")
    elif c.onboarding_due:
        story.append(_empty("No check is overdue and none was waived."))
    story.append(
        document.Heading("Training compliance by department", sheet["h2"], context, level=1)
    )
    training = [row for row in data.training if row.required]
    if not training:
        story.append(
            _empty(
                "No training is required of current staff (no staff or no courses "
                "recorded), so there is no compliance to report."
            )
        )
        return story
    story.append(
        _chart_block(
            "Share of required trainings valid",
            charts.horizontal_bars(
                [(r.department, r.percent or 0) for r in training],
                width,
                colours=[styles.PALETTE[4]],
                value_format="{:.0f}%",
                maximum=100,
            ),
        )
    )
    # kept whole (one row per department): a header and one row at a page's foot read badly
    story.append(
        KeepTogether(
            tables.simple_table(
                ["Department", "People", "Required", "Valid", "Expired", "Missing", "Compliance"],
                [
                    [
                        r.department,
                        r.people,
                        r.required,
                        r.compliant,
                        r.expired,
                        r.missing,
                        _pct(r.percent),
                    ]
                    for r in training
                ],
                [w * width for w in (0.34, 0.1, 0.11, 0.11, 0.11, 0.11, 0.12)],
                ["text", "int", "int", "int", "int", "int", "int"],
            )
        )
    )
    return story


def _protection(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    if data.protection is None:
        return []
    from rsdesk.services.reports.pdf import protection

    return protection.section(data.protection, data.year, context, width)


def _method(data: AnnualData, context: document.ReportContext, width: float) -> list[Any]:
    sheet = styles.sheet()
    story: list[Any] = [
        PageBreak(),
        document.Heading("Method", sheet["h1"], context),
        _p(PRINCIPLES),
        Spacer(1, 3 * mm),
    ]
    model = data.model
    if model is None:
        story.append(_empty("No valid scoring model is installed."))
        return story
    story.append(
        _p(
            f"Scoring model: <b>{fonts.markup(model.title)}</b>, identifier {fonts.markup(model.id)}, "
            f"version {fonts.markup(model.version)}."
        )
    )
    if model.description:
        story.append(_u(model.description))
    story.append(Spacer(1, 2 * mm))
    story.append(
        _p(
            "Each answer adds points to one dimension; safeguards already in place subtract within "
            "their dimension, never below its floor. The total decides the level; a severe factor "
            "lifts it to its minimum level whatever the total. \u201cDon't know\u201d counts as risk "
            "and is listed as due diligence still to do."
        )
    )
    story.append(document.Heading("Dimensions", sheet["h2"], context, level=1))
    story.append(
        tables.simple_table(
            ["Dimension", "What it covers"],
            [[d.name, d.description] for d in model.dimensions],
            [width * 0.3, width * 0.7],
        )
    )
    story.append(document.Heading("Levels and their consequences", sheet["h2"], context, level=1))
    levels = list(model.levels)
    story.append(
        tables.simple_table(
            ["Level", "From score", "Review after", "Consequence", "Signed off by"],
            [
                [
                    lv.name,
                    lv.min_score,
                    f"{lv.review_months} months",
                    lv.consequence,
                    data.sign_off_by.get(str(getattr(lv.id, "value", lv.id)), lv.sign_off),
                ]
                for lv in levels
            ],
            [w * width for w in (0.12, 0.1, 0.13, 0.4, 0.25)],
            ["text", "int", "text", "text", "text"],
            colours={
                (0, i): styles.RISK_COLOURS.get(str(getattr(lv.id, "value", lv.id)), "#ffffff")
                for i, lv in enumerate(levels)
            },
        )
    )
    return story


def _audit(
    data: AnnualData, context: document.ReportContext, stamp: dict[str, Any], width: float
) -> list[Any]:
    sheet = styles.sheet()
    result = data.audit_result
    verdict = (
        f"verified intact: {result.entries_checked:,} entries and {result.records_checked:,} "
        "records checked, every entry linked to the one before and every record matching its "
        "last entry"
        if result.ok
        else f"<b>NOT intact</b>: {fonts.markup(result.problem or 'unknown problem')}"
    )
    story: list[Any] = [
        PageBreak(),
        document.Heading("Audit statement", sheet["h1"], context),
    ]
    if result.ok and result.entries_checked == 0:
        # an empty trail has no hash to quote (the chain's starting value is all zeros)
        story.append(
            _p(
                "Every change to the register is recorded in a hash-chained audit trail. When "
                "this report was generated the trail held no entries: nothing had been recorded "
                "in this database yet."
            )
        )
    else:
        story += [
            _p(
                f"Every change to the register is recorded in a hash-chained audit trail. In "
                f"{data.year} it received <b>{data.audit_entries_in_year:,}</b> entries. When "
                f"this report was generated the chain was {verdict}. Its latest hash is:"
            ),
            Spacer(1, 2 * mm),
            _p(f"<font face='{fonts.BASE}' size='8'>{result.latest_hash}</font>"),
        ]
    story += [
        Spacer(1, 4 * mm),
        document.Heading("What this report was made from", sheet["h2"], context, level=1),
        tables.simple_table(
            ["Item", "Value"], archive.stamp_rows(stamp), [width * 0.22, width * 0.78]
        ),
        Spacer(1, 2 * mm),
        _p(
            "A copy of this report is kept in the report archive of the database, so that it can "
            "be shown again exactly as it was issued.",
            "muted",
        ),
    ]
    return story


def _year_rows(
    session: Session, spec: Any, year: int, keys: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    query = RegisterQuery()
    columns = [spec.column(key) for key in keys]
    statement = (
        filtered(spec, query)
        .where(figures.year_condition(year))
        .with_only_columns(*(c.expr.label(c.key) for c in columns))
    )
    statement = ordered(spec, query, statement)
    for row in session.execute(statement.execution_options(yield_per=2000)):
        yield tuple(row)


def _appendix(
    session: Session,
    data: AnnualData,
    context: document.ReportContext,
    progress: Progress,
    cancel: CancelToken,
) -> list[Any]:
    spec = registers.get("collaborations")
    width = LANDSCAPE[0] - 2 * document.MARGIN
    layout = layout_for(spec, None, width)
    keys = [c.key for c in spec.columns if c.visible]
    story: list[Any] = [
        NextPageTemplate("appendix_first"),
        PageBreak(),
        document.Heading(
            "Appendix: register of the year's collaborations", styles.sheet()["h1"], context
        ),
    ]
    total = data.current.collaborations
    if total == 0:
        story.append(_empty(f"No collaborations belong to {data.year}."))
        return story
    story.append(_p(f"{total:,} collaborations, by reference.", "muted"))
    story.append(Spacer(1, 2 * mm))
    story.append(tables.header_table(layout))
    story.append(NextPageTemplate("appendix"))
    story.extend(
        tables.chunked_tables(
            _year_rows(session, spec, data.year, keys),
            layout,
            total=total,
            progress=progress,
            cancel=cancel,
        )
    )
    return story


def build_annual(
    session: Session,
    data: AnnualData,
    stamp: dict[str, Any],
    *,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> bytes:
    """Lays the report out; ``session`` streams the appendix rows."""
    fonts.register()
    width = PORTRAIT[0] - 2 * document.MARGIN
    institution = data.institution or "Research security office"
    title = f"Research security annual report {data.year}"
    context = document.ReportContext(
        title=title,
        header_right=institution,
        footer_stamp=archive.stamp_line(stamp),
        bare_pages={1},
    )
    spec = registers.get("collaborations")
    layout = layout_for(spec, None, LANDSCAPE[0] - 2 * document.MARGIN)
    appendix_first, appendix = tables.band_templates(
        LANDSCAPE, layout, "appendix_first", "appendix"
    )
    portrait = PageTemplate(id="portrait", frames=[document.frame_for(PORTRAIT)], pagesize=PORTRAIT)
    story: list[Any] = _cover(data, width)
    story += [PageBreak(), document.TocPlaceholder(context), PageBreak()]
    sections = (
        _summary(data, context, width)
        + _appraisals(data, context, width)
        + _collaborations(data, context, width)
        + _follow_up(data, context, width)
        + _people(data, context, width)
        + _protection(data, context, width)
        + _method(data, context, width)
        + _audit(data, context, stamp, width)
        + _appendix(session, data, context, progress, cancel)
    )
    if data.current.collaborations == 0 and data.current.appraisals == 0:
        # Nothing happened this year: run the sections on rather than print empty pages.
        sections = [
            CondPageBreak(90 * mm) if type(item) is PageBreak else item
            for item in sections
            if not isinstance(item, NextPageTemplate)
        ]
    story += sections
    return document.build(
        story,
        context,
        [portrait, appendix_first, appendix],
        title=title,
        author=institution,
        subject=f"Research security in {data.year}: appraisals, "
        "measures, reviews, onboarding, training and the audit trail",
        keywords="research security, annual report, rsdesk",
        progress=progress,
        cancel=cancel,
    )


def generate_annual(
    session: Session,
    year: int,
    *,
    database_name: str,
    actor: str,
    today: dt.date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[int, bytes]:
    """Gathers, lays out, stamps and archives the annual report; returns ``(archive id, bytes)``."""
    from rsdesk.services import access

    access.require(session, access.Capability.REPORTS)
    if not 1900 <= year <= 2999:
        from rsdesk.services.errors import ValidationError

        raise ValidationError(f"{year} is not a plausible year", field="year")
    stamp = archive.make_stamp(session, database_name)
    data = gather(session, year, today=today, progress=progress, cancel=cancel)
    content = build_annual(session, data, stamp, progress=progress, cancel=cancel)
    cancel.raise_if_cancelled()  # a Cancel during the last page: nothing archived
    title = f"Research security annual report {year}"
    report_id = archive.archive(session, "annual", title, content, stamp, actor)
    return report_id, content


__all__ = ["AnnualData", "build_annual", "gather", "generate_annual"]
