"""The annual report's section on protecting sensitive assets, advice requests and who is
responsible (#12). Kept in its own module; ``annual.py`` gathers it and places it after the
people section.

Asset figures describe the register as it stands at the report's as-of date (the year's end, or
today for the current year): assets by sensitivity level, safeguards verified on time, the people
with access without a current briefing and those who still have access after leaving (people,
with the number of grants when it differs). Advice figures count the requests asked and answered in the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer
from sqlalchemy.orm import Session

from rsdesk.services import advice, assets, responsibilities
from rsdesk.services.reports.pdf import document, fonts, styles, tables


@dataclass(frozen=True)
class ProtectionData:
    as_of: dt.date
    level_names: dict[str, str]
    assets: assets.AssetCounts
    advice: advice.AdviceFigures
    roles: responsibilities.Responsibilities


def gather(session: Session, year: int, as_of: dt.date) -> ProtectionData:
    rules = assets.load_rules(session)
    return ProtectionData(
        as_of=as_of,
        level_names={level.code: level.name for level in rules.levels},
        assets=assets.counts(session, as_of),
        advice=advice.figures(session, year),
        roles=responsibilities.load(session),
    )


def _p(text: str) -> Paragraph:
    return Paragraph(text, styles.sheet()["body"])


def _days(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def _holders(people: int, grants: int, *, left: bool) -> str:
    """Reads "6 people have access … (8 grants)": the register counts grants, the office acts on
    people, and one person may hold access to several assets."""
    if left:
        if people == 0:
            return "Nobody who has left still has access."
        text = "person who has left still has" if people == 1 else "people who have left still have"
        what = "access"
    else:
        if people == 0:
            return "Nobody has access without a current briefing or training."
        text = "person has" if people == 1 else "people have"
        what = "access without a current briefing or training"
    grants_note = f" ({grants:,} grants)" if grants != people else ""
    return f"<b>{people:,}</b> {text} {what}{grants_note}."


def section(
    data: ProtectionData, year: int, context: document.ReportContext, width: float
) -> list[Any]:
    sheet = styles.sheet()
    a = data.assets
    story: list[Any] = [
        PageBreak(),
        document.Heading("Sensitive assets, advice and responsibilities", sheet["h1"], context),
        document.Heading("Protecting sensitive assets", sheet["h2"], context, level=1),
    ]
    if a.assets == 0:
        story.append(_p("No sensitive assets are recorded in the register."))
    else:
        on_time = (
            f"{a.safeguards_on_time:,} of {a.safeguards_recorded:,} safeguards in place were "
            f"verified within their period ({100 * a.safeguards_on_time / a.safeguards_recorded:.0f}%)"
            if a.safeguards_recorded
            else "no safeguard is recorded as in place yet"
        )
        story.append(
            _p(
                f"On {data.as_of.isoformat()}, {a.assets:,} assets are registered; {on_time}; "
                f"{a.safeguards_missing:,} safeguards expected for their level are missing. "
                + _holders(a.people_without_briefing, a.access_without_briefing, left=False)
                + " "
                + _holders(a.people_after_leaving, a.access_after_leaving, left=True)
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            tables.simple_table(
                ["Sensitivity level", "Assets"],
                [[data.level_names.get(code, code), count] for code, count in a.by_level],
                [0.7 * width, 0.3 * width],
                ["text", "int"],
            )
        )

    story.append(document.Heading("Advice requests", sheet["h2"], context, level=1))
    f = data.advice
    if f.asked == 0 and f.closed == 0:
        story.append(_p(f"No advice requests were logged in {year}."))
    else:
        story.append(
            _p(
                f"{f.asked:,} requests were asked in {year} and {f.closed:,} answered; the median "
                f"time to answer was {_days(f.median_days)} days; {f.still_open:,} of the year's "
                f"requests {'was' if f.still_open == 1 else 'were'} still open at its end."
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            tables.simple_table(
                ["Quarter", "Asked", "Answered", "Median days to answer"],
                [[f"Q{q.quarter}", q.asked, q.closed, _days(q.median_days)] for q in f.quarters],
                [0.25 * width, 0.2 * width, 0.2 * width, 0.35 * width],
                ["text", "int", "int", "int"],
            )
        )

    story.append(document.Heading("Who is responsible", sheet["h2"], context, level=1))
    roles = data.roles
    rows: list[list[Any]] = [["Central contact", roles.central_contact.label()]]
    rows += [[f"Adviser, {c.department}", c.label()] for c in roles.advisers]
    for rule in roles.sign_off:
        allowed = "; ".join([*rule.roles, *rule.people]) or "anybody in the office"
        rows.append([f"Signs off {responsibilities.LEVEL_LABELS[rule.level]} risk", allowed])
    story.append(
        tables.simple_table(
            ["Responsibility", "Who"], rows, [0.3 * width, 0.7 * width], ["text", "text"]
        )
    )
    if not roles.enforced:
        story.append(Spacer(1, 2 * mm))
        story.append(
            Paragraph(
                fonts.markup(
                    "These are rsdesk's default roles: the office has not yet confirmed its own."
                ),
                sheet["body"],
            )
        )
    return story
