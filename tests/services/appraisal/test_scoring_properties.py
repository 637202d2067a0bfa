"""Properties of the engine over many generated answer sets (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rsdesk.models.enums import RiskLevel
from rsdesk.services.appraisal import ScoreResult, load_model, score

MODEL = load_model()


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, str]:
    answers = {}
    for question in MODEL.questions:
        choice = draw(st.sampled_from([None, *[o.id for o in question.options]]))
        if choice is not None:
            answers[question.id] = choice
    return answers


@settings(max_examples=60, deadline=None)
@given(answer_sets())
def test_result_is_consistent_and_round_trips(answers):
    result = score(MODEL, answers)
    assert result.total == sum(d.score for d in result.dimensions)
    for dimension in result.dimensions:
        assert dimension.floor <= dimension.score <= dimension.gross or dimension.gross == 0
        assert dimension.score >= 0
    assert RiskLevel(result.level).rank >= RiskLevel(result.score_level).rank
    for severe in result.severe:
        assert RiskLevel(result.level).rank >= RiskLevel(severe.minimum_level).rank
    assert {g.question for g in result.gaps} == {
        q.id for q in MODEL.questions if q.id not in answers or q.option(answers[q.id]).unknown
    }
    assert ScoreResult.from_json(result.to_json()) == result


@settings(max_examples=60, deadline=None)
@given(answer_sets(), st.sampled_from([q for q in MODEL.questions if q.reduces is None]))
def test_a_riskier_answer_never_lowers_the_level(answers, question):
    """Monotonic: moving one risk answer to its heaviest option never lowers total or level."""
    heaviest = max(question.options, key=lambda o: o.weight)
    current = answers.get(question.id)
    current_weight = (
        question.option(current).weight if current else question.unanswered_option.weight
    )
    riskier = {**answers, question.id: heaviest.id}
    before, after = score(MODEL, answers), score(MODEL, riskier)
    assert heaviest.weight >= current_weight
    assert after.total >= before.total
    assert RiskLevel(after.level).rank >= RiskLevel(before.level).rank


@settings(max_examples=40, deadline=None)
@given(answer_sets(), st.sampled_from([q for q in MODEL.questions if q.reduces is not None]))
def test_a_safeguard_never_raises_the_score(answers, question):
    strongest = min(question.options, key=lambda o: o.weight)
    without = score(MODEL, {**answers, question.id: "no"} if question.has_option("no") else answers)
    with_safeguard = score(MODEL, {**answers, question.id: strongest.id})
    assert with_safeguard.total <= without.total
