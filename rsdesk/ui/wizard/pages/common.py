"""HTML fragments shared by the summary and the read-only record: the result, explained."""

from __future__ import annotations

from html import escape

from rsdesk.services.appraisal.scoring import ScoreResult
from rsdesk.ui.widgets.badges import HUES

LEVEL_NAMES = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}

STYLE = """
<style>
  body { font-size: 10pt; }
  h3 { margin: 10px 0 4px 0; }
  table.grid { border-collapse: collapse; }
  table.grid td, table.grid th { padding: 3px 8px; border-bottom: 1px solid #c8c8c8; }
  th { text-align: left; }
  td.num, th.num { text-align: right; }
  .muted { color: #666666; }
</style>
"""


def level_chip(level: str | None, text: str | None = None) -> str:
    if not level:
        return "—"
    hue = HUES.get(level, "#757575")
    label = escape(text or LEVEL_NAMES.get(level, level))
    return (
        f'<span style="background-color:{hue}; color:#ffffff; font-weight:bold;">'
        f"&nbsp;{label}&nbsp;</span>"
    )


def result_html(
    result: ScoreResult, *, with_answers: bool = False, sign_off: str | None = None
) -> str:
    """``sign_off``: who signs off in the office's words (responsibilities), if not the model's."""
    """The score breakdown: level, dimensions, severe factors, factors, gaps, measures."""
    parts = [STYLE]
    parts.append(
        f"<p style='font-size:13pt'>{level_chip(result.level, result.level_name)} &nbsp; "
        f"total score <b>{result.total}</b>"
    )
    if result.level != result.score_level:
        parts.append(
            f" <span class='muted'>(the score alone gives "
            f"{escape(LEVEL_NAMES.get(result.score_level, result.score_level))}; a severe factor "
            f"lifts it)</span>"
        )
    parts.append("</p>")
    parts.append(
        f"<p><b>Consequence:</b> {escape(result.consequence)}<br>"
        f"<b>Sign-off by:</b> {escape(sign_off or result.sign_off)} &nbsp; "
        f"<b>Review after:</b> {result.review_months} months</p>"
    )
    if result.severe:
        parts.append("<h3>Severe factors</h3><ul>")
        for item in result.severe:
            parts.append(
                f"<li>{escape(item.question_text)} — <b>{escape(item.option_text)}</b>: at least "
                f"{level_chip(item.minimum_level)}</li>"
            )
        parts.append("</ul>")
    parts.append(
        "<h3>Dimensions</h3><table class='grid'><tr><th>Dimension</th><th class='num'>Risk points"
        "</th><th class='num'>Safeguards</th><th class='num'>Score</th></tr>"
    )
    for dimension in result.dimensions:
        reduction = f"−{dimension.reduction}" if dimension.reduction else "0"
        parts.append(
            f"<tr><td>{escape(dimension.name)}</td><td class='num'>{dimension.gross}</td>"
            f"<td class='num'>{reduction}</td><td class='num'><b>{dimension.score}</b></td></tr>"
        )
    parts.append(
        f"<tr><td><b>Total</b></td><td></td><td></td><td class='num'><b>{result.total}</b></td>"
        "</tr></table>"
    )
    if result.factors:
        parts.append("<h3>What raised the score</h3><table class='grid'>")
        for factor in result.factors:
            flag = " <span class='muted'>(don't know)</span>" if factor.unknown else ""
            parts.append(
                f"<tr><td class='num'>+{factor.points}</td><td>{escape(factor.question_text)}"
                f"<br><i>{escape(factor.option_text)}</i>{flag}</td></tr>"
            )
        parts.append("</table>")
    if result.safeguards:
        parts.append("<h3>Safeguards in place</h3><ul>")
        for safeguard in result.safeguards:
            parts.append(
                f"<li>{safeguard.points} — {escape(safeguard.question_text)} "
                f"<i>{escape(safeguard.option_text)}</i></li>"
            )
        parts.append("</ul>")
    if result.gaps:
        parts.append(
            f"<h3>Due-diligence gaps ({len(result.gaps)})</h3>"
            "<p class='muted'>Unknown answers count as risk until they are found out.</p><ul>"
        )
        for gap in result.gaps:
            reason = "unanswered" if gap.reason == "unanswered" else "don't know"
            parts.append(
                f"<li>{escape(gap.question_text)} <span class='muted'>({reason})</span></li>"
            )
        parts.append("</ul>")
    if result.measures:
        parts.append("<h3>Suggested measures</h3><ul>")
        for measure in result.measures:
            parts.append(f"<li>{escape(measure.text)}</li>")
        parts.append("</ul>")
    if with_answers:
        parts.append("<h3>Questions and answers</h3><table class='grid'>")
        for record in result.answers:
            justification = (
                f"<br><span class='muted'>Justification:</span> {escape(record.justification)}"
                if record.justification
                else ""
            )
            parts.append(
                f"<tr><td>{escape(record.question_text)}<br><b>{escape(record.option_text)}</b>"
                f"{justification}</td><td class='num'>{record.points:+d}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<p class='muted'>Model {escape(result.model_id)} version {escape(result.model_version)}</p>"
    )
    return "".join(parts)
