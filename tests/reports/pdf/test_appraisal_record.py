"""The appraisal record: every question, answer and justification, scores, decision, sign-off."""

from __future__ import annotations

from rsdesk.services.appraisal import workflow
from rsdesk.services.reports import archive
from rsdesk.services.reports.pdf.appraisal import generate_appraisal_record
from tests.reports.pdf.appraisals import JUSTIFICATION, signed_off_appraisal
from tests.reports.pdf.helpers import flat, metadata, pages_text, qpdf_check


def test_record_of_a_signed_off_appraisal(db, tmp_path) -> None:
    with db.unit_of_work() as session:
        appraisal_id = signed_off_appraisal(session)
    with db.read() as session:
        view = workflow.get_appraisal(session, appraisal_id)
    with db.unit_of_work() as session:
        report_id, content = generate_appraisal_record(
            session, appraisal_id, database_name="office.sqlite3", actor="tester"
        )
    qpdf_check(content, tmp_path)
    pages = pages_text(content)
    text = flat("\n".join(pages))
    result = view.result
    assert result is not None
    # every question of the frozen result, with its answer
    for record in result.answers:
        assert flat(record.question_text) in text, record.question
    # the justification, markup printed as typed
    justified = [r for r in result.answers if r.justification]
    assert justified
    assert text.count(JUSTIFICATION) == len(justified)
    assert "Quantum sensing <b>pilot</b> & partners" in text
    # scores, the level and why
    assert f"Total score {result.total}, which gives the level {result.level_name}" in text
    for dimension in result.dimensions:
        assert f"{dimension.name} {dimension.gross} {dimension.reduction}" in text
    for factor in result.factors:
        assert flat(factor.option_text) in text
    # decision, measures and sign-off
    assert "Approve with conditions" in text
    assert "Export licence check before any data leaves" in text
    assert "Signed off by Zoë Ødegård (Senior research-security officer)" in text
    assert "Московский физико-технический институт" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert metadata(content)["Author"] == "Zoë Ødegård"
    with db.read() as session:
        assert archive.fetch(session, report_id).content == content


def test_draft_is_marked(db) -> None:
    from tests.reports.pdf.data import add_register

    with db.unit_of_work() as session:
        collaboration_id = add_register(session, 1)[0]
    with db.unit_of_work() as session:
        draft = workflow.reappraise(session, collaboration_id)
        _, content = generate_appraisal_record(session, draft.id, database_name="x", actor="t")
    text = flat("\n".join(pages_text(content)))
    assert "DRAFT. This appraisal has not been signed off" in text
    assert "Not signed off yet." in text
