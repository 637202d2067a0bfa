"""The pure scoring engine: levels, severe factors, gaps, safeguards and their floor, JSON."""

from __future__ import annotations

import json
import math

import pytest

from rsdesk.services.appraisal import ScoreResult, load_model, score
from rsdesk.services.appraisal.model import parse_model_text
from tests.services.appraisal.helpers import benign_answers

MODEL = load_model()

#: A fundamental-research exchange with a well-known university: nothing to worry about.
LOW = {}
#: Applied AI work with a possible export-control question and a new partner.
MEDIUM = {
    "research_critical_technology": "most_sensitive",
    "research_dual_use": "possible",
    "research_maturity": "applied",
    "partner_track_record": "none",
}
#: Adds know-how going to a company with indirect defence links and broad disclosure duties.
HIGH = {
    **MEDIUM,
    "partner_kind": "company",
    "partner_military_links": "indirect",
    "form_transfers": "software_knowhow",
    "form_access": "lab",
    "legal_compelled_disclosure": "broad",
}
#: Everything points the wrong way, but no single answer is severe.
VERY_HIGH = {
    **HIGH,
    "research_dual_use": "listed",
    "research_military_use": "direct",
    "research_publication": "restricted",
    "partner_ownership": "opaque",
    "form_ip": "partner_exclusive",
    "form_funding": "dominant",
    "form_unusual_requests": "serious",
    "legal_autonomy": "no",
    "legal_state_direction": "yes",
}


def answers(extra: dict[str, str], *, safeguards: bool = False) -> dict[str, str]:
    """Benign answers with no safeguards in place yet, overridden by ``extra``."""
    return {**benign_answers(MODEL, safeguards=safeguards), **extra}


@pytest.mark.parametrize(
    ("scenario", "level"),
    [(LOW, "low"), (MEDIUM, "medium"), (HIGH, "high"), (VERY_HIGH, "very_high")],
)
def test_each_level(scenario, level):
    result = score(MODEL, answers(scenario))
    assert result.level == level
    assert result.score_level == level  # no severe factor involved
    assert not result.severe
    assert not result.gaps
    assert result.total == sum(d.score for d in result.dimensions)
    assert result.review_months == MODEL.level(level).review_months
    # Explainable: the factors are exactly the answers that added points.
    assert {f.question for f in result.factors} == {
        q for q, o in scenario.items() if MODEL.question(q).option(o).weight > 0
    }


def test_levels_rise_monotonically_with_risk():
    ranks = [score(MODEL, answers(s)).risk_level.rank for s in (LOW, MEDIUM, HIGH, VERY_HIGH)]
    assert ranks == sorted(ranks) == [0, 1, 2, 3]


SMALL_MODEL = """
[model]
id = "tiny"
version = "1"
[[dimension]]
id = "d"
name = "D"
floor = 1
floor_share = 0.5
[[dimension]]
id = "s"
name = "S"
kind = "safeguard"
[[level]]
id = "low"
name = "Low"
min_score = 0
review_months = 36
consequence = "Proceed."
sign_off = "Officer"
[[level]]
id = "medium"
name = "Medium"
min_score = 4
review_months = 24
consequence = "Safeguards."
sign_off = "Officer"
[[level]]
id = "high"
name = "High"
min_score = 8
review_months = 12
consequence = "Conditions."
sign_off = "Dean"
[[level]]
id = "very_high"
name = "Very high"
min_score = 12
review_months = 6
consequence = "Committee."
sign_off = "Committee"
[[measure]]
code = "m"
text = "Do something."
[[page]]
id = "p"
title = "P"
[[question]]
id = "q1"
page = "p"
dimension = "d"
text = "Q1?"
help = "Why."
measures = ["m"]
options = [{ id = "a", text = "A", weight = 0 }, { id = "b", text = "B", weight = 4 },
           { id = "c", text = "C", weight = 10 }, { id = "x", text = "?", weight = 2, unknown = true }]
[[question]]
id = "q2"
page = "p"
dimension = "d"
text = "Q2?"
help = "Why."
options = [{ id = "a", text = "A", weight = 0 }, { id = "b", text = "B", weight = 4 },
           { id = "bad", text = "Bad", weight = 1, severe = "high" },
           { id = "x", text = "?", weight = 2, unknown = true }]
[[question]]
id = "s1"
page = "p"
dimension = "s"
reduces = "d"
text = "Safe?"
help = "Why."
options = [{ id = "yes", text = "Yes", weight = -20 }, { id = "no", text = "No", weight = 0 },
           { id = "x", text = "?", weight = 0, unknown = true }]
"""


@pytest.mark.parametrize(
    ("q1", "q2", "level"),
    [
        ("a", "a", "low"),
        ("a", "b", "medium"),
        ("b", "b", "high"),
        ("b", "a", "medium"),
        ("c", "a", "high"),
        ("c", "b", "very_high"),
    ],
)
def test_thresholds_are_inclusive_at_min_score(q1, q2, level):
    tiny = parse_model_text(SMALL_MODEL)
    assert score(tiny, {"q1": q1, "q2": q2, "s1": "no"}).level == level


def test_severe_answer_alone_forces_its_minimum_level():
    tiny = parse_model_text(SMALL_MODEL)
    result = score(tiny, {"q1": "a", "q2": "bad", "s1": "yes"})
    assert result.total == 1
    assert result.score_level == "low"
    assert result.level == "high"
    assert result.raised_by_severe
    assert [(s.question, s.option, s.minimum_level) for s in result.severe] == [
        ("q2", "bad", "high")
    ]
    assert result.review_months == 12


@pytest.mark.parametrize(
    ("question", "option", "minimum"),
    [
        ("partner_listed", "listed", "very_high"),
        ("legal_weapons_use", "indicated", "very_high"),
        ("legal_rights_misuse", "plausible", "very_high"),
        ("partner_military_links", "direct", "high"),
        ("partner_human_rights", "credible", "high"),
    ],
)
def test_one_severe_answer_in_a_benign_appraisal(question, option, minimum):
    result = score(MODEL, answers({question: option}))
    assert result.risk_level.rank >= MODEL.level(minimum).id.rank
    assert result.level == minimum
    assert [s.question for s in result.severe] == [question]
    assert "committee_referral" in {m.code for m in result.measures} or minimum == "high"


def test_severe_factor_does_not_lower_a_higher_score():
    result = score(MODEL, answers({**VERY_HIGH, "partner_military_links": "direct"}))
    assert result.level == "very_high"


def test_safeguards_subtract_within_their_dimension_but_not_below_the_floor():
    tiny = parse_model_text(SMALL_MODEL)
    without = score(tiny, {"q1": "c", "q2": "b", "s1": "no"})
    with_safeguard = score(tiny, {"q1": "c", "q2": "b", "s1": "yes"})
    (d_without,) = without.dimensions
    (d_with,) = with_safeguard.dimensions
    assert d_without.score == d_without.gross == 14
    assert d_with.gross == 14
    assert d_with.score == d_with.floor == math.ceil(0.5 * 14)
    assert d_with.reduction == 14 - d_with.score
    assert [s.question for s in with_safeguard.safeguards] == ["s1"]
    # The fixed floor applies when the share would be smaller; never above the gross score.
    assert score(tiny, {"q1": "a", "q2": "bad", "s1": "yes"}).dimensions[0].score == 1
    assert score(tiny, {"q1": "a", "q2": "a", "s1": "yes"}).dimensions[0].score == 0


def test_default_safeguards_lower_the_score_of_the_dimension_they_protect():
    risky = {**HIGH, "form_ip": "unclear"}
    no_safeguards = answers(risky)
    with_safeguards = answers(risky, safeguards=True)
    before = {d.id: d for d in score(MODEL, no_safeguards).dimensions}
    after = {d.id: d for d in score(MODEL, with_safeguards).dimensions}
    assert after["form"].score < before["form"].score
    assert after["form"].score >= after["form"].floor
    assert after["partner"].gross == before["partner"].gross


def test_unknown_answers_count_as_risk_and_are_gaps():
    known = score(MODEL, answers({"partner_ownership": "transparent"}))
    unknown = score(MODEL, answers({"partner_ownership": "unknown"}))
    assert unknown.total > known.total
    assert [(g.question, g.reason) for g in unknown.gaps] == [("partner_ownership", "unknown")]
    factor = next(f for f in unknown.factors if f.question == "partner_ownership")
    assert factor.unknown
    assert "complete_due_diligence" in {m.code for m in unknown.measures}


def test_unanswered_questions_are_gaps_that_count_as_dont_know():
    partial = answers({})
    del partial["partner_ownership"]
    unanswered = score(MODEL, partial)
    dont_know = score(MODEL, answers({"partner_ownership": "unknown"}))
    assert unanswered.total == dont_know.total
    assert [(g.question, g.reason) for g in unanswered.gaps] == [
        ("partner_ownership", "unanswered")
    ]
    everything_unknown = score(MODEL, {})
    assert len(everything_unknown.gaps) == len(MODEL.questions)
    assert everything_unknown.level == "very_high"


def test_unknown_safeguard_is_a_gap_without_points():
    result = score(MODEL, answers({"safeguard_agreement": "unknown"}, safeguards=True))
    assert [g.question for g in result.gaps] == ["safeguard_agreement"]
    assert "safeguard_agreement" not in {s.question for s in result.safeguards}


def test_risk_raising_answers_need_a_justification():
    scenario = answers(MEDIUM)
    result = score(MODEL, scenario)
    needing = {q for q in MEDIUM if MODEL.question(q).justify}
    assert set(result.justifications_missing) == needing
    assert "research_maturity" not in result.justifications_missing  # justify = false
    justified = score(MODEL, scenario, {q: "Reviewed with the PI." for q in needing})
    assert justified.justifications_missing == ()
    assert justified.total == result.total


def test_suggested_measures_are_tied_to_factors():
    result = score(MODEL, answers(HIGH))
    for measure in result.measures:
        for question_id in measure.addresses:
            assert question_id in {f.question for f in result.factors}
            assert measure.code in MODEL.question(question_id).measures
    assert score(MODEL, answers(LOW)).measures == ()


def test_result_is_deterministic_and_round_trips_through_json():
    first = score(MODEL, answers(HIGH), {"form_access": "Visits to lab 2 only"})
    second = score(
        MODEL, dict(reversed(list(answers(HIGH).items()))), {"form_access": "Visits to lab 2 only"}
    )
    assert first == second
    assert first.to_json() == second.to_json()
    text = first.to_json()
    json.loads(text)
    assert ScoreResult.from_json(text) == first
    assert ScoreResult.from_dict(json.loads(text)) == first
    assert first.model_id == MODEL.id
    assert first.model_version == MODEL.version
    record = next(a for a in first.answers if a.question == "form_access")
    assert record.justification == "Visits to lab 2 only"
    assert record.option_text == MODEL.question("form_access").option("lab").text
