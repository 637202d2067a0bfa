"""The appraisal record as PDF: what was asked, what was answered and why, the scores and what
raised them, the decision, the measures, and who signed it off when.

It renders what the appraisal row stores (answers, justifications and the result frozen at
sign-off), never a fresh score, so a record printed years later shows what was decided then.
A draft prints with "DRAFT" in its header and a note that it may still change.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, PageTemplate, Paragraph, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import CollaborationPartner, Partner
from rsdesk.services.appraisal import workflow
from rsdesk.services.appraisal.scoring import AnswerRecord, ScoreResult
from rsdesk.services.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf import document, fonts, styles, tables

PAGE = A4


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, styles.sheet()[style])


def _u(text: Any, style: str = "body") -> Paragraph:
    return Paragraph(fonts.markup(text), styles.sheet()[style])


def _answer_text(option_text: str, unknown: bool) -> str:
    """The answer as given, marked when it was a "don't know" unless it already says so
    (the option "Don't know" printed as "Don't know (don't know)")."""
    if not unknown or "know" in option_text.lower():
        return option_text
    return f"{option_text} (don't know)"


def _partners(session: Session, collaboration_id: int) -> list[tuple[str, str | None]]:
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Partner.name, Partner.country)
            .join(CollaborationPartner, CollaborationPartner.partner_id == Partner.id)
            .where(CollaborationPartner.collaboration_id == collaboration_id)
            .order_by(CollaborationPartner.id)
        )
    ]


def _answers_by_page(
    session: Session, view: workflow.AppraisalView, result: ScoreResult | None
) -> list[tuple[str, list[AnswerRecord]]]:
    """The frozen answer records, grouped by the model's pages when the same model is at hand."""
    from rsdesk.services.appraisal import load_model
    from rsdesk.services.errors import KnownError

    records = list(result.answers) if result else []
    if not records:
        records = [
            AnswerRecord(q, q, option, option, 0, view.justifications.get(q, ""))
            for q, option in sorted(view.answers.items())
        ]
    try:
        model = load_model(session=session)
    except KnownError:
        model = None
    if model is None or model.version != view.model_version:
        return [("Answers", records)]
    by_id = {r.question: r for r in records}
    groups = []
    seen: set[str] = set()
    for page in model.pages:
        items = [by_id[q] for q in page.questions if q in by_id]
        seen.update(r.question for r in items)
        if items:
            groups.append((page.title, items))
    rest = [r for r in records if r.question not in seen]
    if rest:
        groups.append(("Other answers", rest))
    return groups


TRAIL_DIFFERS_WARNING = (
    "This appraisal differs from its audit trail: it was changed outside rsdesk. "
    "Do not rely on it; run audit verify."
)


def appraisal_differs_from_trail(session: Session, appraisal_id: int) -> bool:
    """Whether the appraisal or its collaboration no longer matches its last audit entry.

    The record stamps an audit hash, so a sign-off edited behind rsdesk's back must not
    come out looking sound: the record then carries ``TRAIL_DIFFERS_WARNING``.
    """
    from rsdesk.models.appraisal import Appraisal
    from rsdesk.services import audit

    collaboration_id = session.get(Appraisal, appraisal_id).collaboration_id  # type: ignore[union-attr]
    return not (
        audit.record_matches_trail(session, "appraisal", appraisal_id)
        and audit.record_matches_trail(session, "collaboration", collaboration_id)
    )


def build_appraisal_record(
    session: Session,
    view: workflow.AppraisalView,
    stamp: dict[str, Any],
    *,
    differs_from_trail: bool = False,
) -> bytes:
    fonts.register()
    sheet = styles.sheet()
    width = PAGE[0] - 2 * document.MARGIN
    draft = not view.read_only
    title = f"Appraisal record {view.collaboration_reference} v{view.version}" + (
        " (DRAFT)" if draft else ""
    )
    context = document.ReportContext(
        title=title,
        header_right=view.collaboration_reference,
        footer_stamp=archive.stamp_line(stamp),
    )
    result = view.result
    sign_off = ""
    if result is not None:
        from rsdesk.services import responsibilities

        sign_off = responsibilities.sign_off_by(session, result.level, result.sign_off)
    level = view.risk_level or (result.level if result else None)
    story: list[Any] = [
        Paragraph(fonts.markup("Risk appraisal record", bold=True), sheet["h1"]),
        Paragraph(
            fonts.markup(
                f"{view.collaboration_reference} \u2014 {view.collaboration_title}", bold=True
            ),
            sheet["h2"],
        ),
    ]
    if differs_from_trail:
        story.insert(0, _p(f"<b>WARNING.</b> {TRAIL_DIFFERS_WARNING}", "body"))
    if draft:
        story.append(
            _p(
                "<b>DRAFT.</b> This appraisal has not been signed off; its answers, "
                "scores and measures may still change.",
                "body",
            )
        )
    partners = _partners(session, view.collaboration_id)
    facts = [
        [
            "Partners",
            "; ".join(name + (f" ({country})" if country else "") for name, country in partners)
            or "\u2013",
        ],
        [
            "Appraisal",
            f"version {view.version}"
            + (
                f" (re-appraisal; previous record {view.previous_appraisal_id})"
                if view.previous_appraisal_id
                else " (first appraisal)"
            ),
        ],
        ["Scoring model", f"{view.model_id} {view.model_version}"],
        ["Answered by", styles.label(view.answered_by)],
        ["Started", f"{view.created_at:%Y-%m-%d %H:%M} UTC"],
        ["Status", styles.label(view.status)],
        ["Risk level", styles.label(level)],
        [
            "Score",
            str(view.score if view.score is not None else (result.total if result else "\u2013")),
        ],
        ["Decision", styles.label(view.decision)],
        ["Decision note", view.decision_note or "\u2013"],
        [
            "Signed off by",
            (view.signed_off_by or "\u2013")
            + (f", {view.signed_off_role}" if view.signed_off_role else ""),
        ],
        ["Signed off on", f"{view.signed_off_at:%Y-%m-%d}" if view.signed_off_at else "\u2013"],
        ["Next review", view.next_review_date.isoformat() if view.next_review_date else "\u2013"],
    ]
    colours = {(1, 6): styles.RISK_TINTS.get(level, styles.RISK_TINTS[None])}
    story += [
        Spacer(1, 3 * mm),
        tables.simple_table(
            ["Record", "Value"], facts, [width * 0.22, width * 0.78], colours=colours
        ),
    ]

    story.append(document.Heading("Scores and why", sheet["h2"], context))
    if result is None:
        story.append(_p("<i>No result is stored with this appraisal.</i>", "muted"))
    else:
        story.append(
            _u(
                (
                    f"Total score {result.total}, which alone gives the level "
                    f"{styles.label(result.score_level)}; a severe factor raised it to "
                    f"{result.level_name}"
                    if result.raised_by_severe
                    else f"Total score {result.total}, which gives the level {result.level_name}"
                )
                + f". Consequence: {result.consequence} Sign-off: {sign_off}. "
                f"Review after {result.review_months} months."
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            tables.simple_table(
                ["Dimension", "Points from answers", "Removed by safeguards", "Floor", "Score"],
                [[d.name, d.gross, d.reduction, d.floor, d.score] for d in result.dimensions],
                [width * 0.4, width * 0.17, width * 0.17, width * 0.1, width * 0.16],
                ["text", "int", "int", "int", "int"],
            )
        )
        if result.severe:
            story.append(CondPageBreak(30 * mm))
            story.append(document.Heading("Severe factors", sheet["h2"], context, level=1))
            story.append(
                tables.simple_table(
                    ["Question", "Answer", "Lifts the level to at least"],
                    [
                        [s.question_text, s.option_text, styles.label(s.minimum_level)]
                        for s in result.severe
                    ],
                    [width * 0.5, width * 0.3, width * 0.2],
                )
            )
        dimension_names = {d.id: d.name for d in result.dimensions}
        story.append(CondPageBreak(30 * mm))
        story.append(document.Heading("What raised the score", sheet["h2"], context, level=1))
        if result.factors:
            story.append(
                tables.simple_table(
                    ["Question", "Answer", "Dimension", "Points"],
                    [
                        [
                            f.question_text,
                            _answer_text(f.option_text, f.unknown),
                            dimension_names.get(f.dimension, f.dimension),
                            f.points,
                        ]
                        for f in result.factors
                    ],
                    [width * 0.46, width * 0.28, width * 0.16, width * 0.1],
                    ["text", "text", "text", "int"],
                )
            )
        else:
            story.append(_p("<i>No answer raised the score.</i>", "muted"))
        if result.safeguards:
            story.append(CondPageBreak(30 * mm))
            story.append(document.Heading("Safeguards in place", sheet["h2"], context, level=1))
            story.append(
                tables.simple_table(
                    ["Question", "Answer", "Lowers", "Points"],
                    [
                        [
                            s.question_text,
                            s.option_text,
                            dimension_names.get(s.reduces, s.reduces),
                            s.points,
                        ]
                        for s in result.safeguards
                    ],
                    [width * 0.46, width * 0.28, width * 0.16, width * 0.1],
                    ["text", "text", "text", "int"],
                )
            )
        if result.gaps:
            story.append(CondPageBreak(30 * mm))
            story.append(
                document.Heading("Due diligence still to do", sheet["h2"], context, level=1)
            )
            story.append(
                tables.simple_table(
                    ["Question", "Why it is a gap"],
                    [
                        [
                            g.question_text,
                            "answered \u201cdon't know\u201d"
                            if g.reason == "unknown"
                            else "not answered",
                        ]
                        for g in result.gaps
                    ],
                    [width * 0.75, width * 0.25],
                )
            )

    story.append(CondPageBreak(40 * mm))
    story.append(document.Heading("Mitigation measures", sheet["h2"], context))
    if view.measures:
        story.append(
            tables.simple_table(
                ["Measure", "Owner", "Due", "Status"],
                [
                    [
                        m.description,
                        m.owner_name or "\u2013",
                        m.due_date.isoformat() if m.due_date else "\u2013",
                        styles.label(m.status),
                    ]
                    for m in view.measures
                ],
                [width * 0.55, width * 0.2, width * 0.12, width * 0.13],
            )
        )
    else:
        story.append(_p("<i>No measures were agreed with this appraisal.</i>", "muted"))
    if result and result.measures:
        story.append(Spacer(1, 2 * mm))
        story.append(_p("Measures the model suggested for the answers given:", "muted"))
        questions = {r.question: r.question_text for r in result.answers}
        story.append(
            tables.simple_table(
                ["Suggested measure", "Called for by the answer to"],
                [
                    [m.text, "; ".join(questions.get(q, q) for q in m.addresses)]
                    for m in result.measures
                ],
                [width * 0.55, width * 0.45],
            )
        )

    story.append(CondPageBreak(90 * mm))
    story.append(document.Heading("Questions, answers and justifications", sheet["h2"], context))
    for page_title, records in _answers_by_page(session, view, result):
        rows = [
            [
                r.question_text,
                r.option_text or "not answered",
                r.points,
                r.justification or view.justifications.get(r.question, ""),
            ]
            for r in records
        ]
        heading = _u(page_title, "h2")
        table = tables.simple_table(
            ["Question", "Answer", "Points", "Justification"],
            rows,
            [width * 0.38, width * 0.22, width * 0.08, width * 0.32],
            ["text", "text", "int", "text"],
        )
        if len(rows) < 8:
            story.append(KeepTogether([heading, table]))
        else:
            story += [CondPageBreak(40 * mm), heading, table]

    story.append(CondPageBreak(50 * mm))
    story.append(document.Heading("Sign-off", sheet["h2"], context))
    if view.read_only:
        story.append(
            _u(
                f"Signed off by {view.signed_off_by}"
                + (f" ({view.signed_off_role})" if view.signed_off_role else "")
                + f" on {view.signed_off_at:%d %B %Y}. Decision: {styles.label(view.decision)}."
            )
        )
        # The date above may be an earlier meeting's; who typed it into rsdesk, and when, is not.
        recorded = None if view.id is None else workflow.sign_off_entry(session, view.id)
        if recorded is not None:
            story.append(_u(recorded.text))
    else:
        story.append(_p("<i>Not signed off yet.</i>", "muted"))
    story.append(CondPageBreak(45 * mm))
    story.append(document.Heading("What this record was made from", sheet["h2"], context))
    story.append(
        tables.simple_table(
            ["Item", "Value"], archive.stamp_rows(stamp), [width * 0.22, width * 0.78]
        )
    )
    template = PageTemplate(id="page", frames=[document.frame_for(PAGE)], pagesize=PAGE)
    return document.build(
        story,
        context,
        [template],
        title=title,
        author=view.signed_off_by or stamp.get("author", ""),
        subject=f"Risk appraisal of {view.collaboration_reference}: {view.collaboration_title}",
    )


def generate_appraisal_record(
    session: Session,
    appraisal_id: int,
    *,
    database_name: str,
    actor: str,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> tuple[int, bytes]:
    """Builds, stamps and archives the record of one appraisal; ``(archive id, bytes)``."""
    from rsdesk.services import access

    access.require(session, access.Capability.REPORTS)
    progress(0, 2, "Reading the appraisal")
    view = workflow.get_appraisal(session, appraisal_id)
    stamp = archive.make_stamp(session, database_name)
    stamp["author"] = actor
    cancel.raise_if_cancelled()
    progress(1, 2, "Laying out the record")
    differs = appraisal_differs_from_trail(session, appraisal_id)
    content = build_appraisal_record(session, view, stamp, differs_from_trail=differs)
    title = f"Appraisal record {view.collaboration_reference} v{view.version}"
    report_id = archive.archive(session, "appraisal", title, content, stamp, actor)
    progress(2, 2, "Done")
    return report_id, content
