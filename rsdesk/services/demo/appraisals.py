"""Demo appraisals scored by the real engine, their mitigation measures, and the section that
writes them.

The collaborations section plans appraisals while it builds each collaboration (the latest
signed-off appraisal decides the collaboration's risk level and review date); this module supplies
the outcomes and writes the planned rows.

Scoring tens of thousands of answer sets one by one would dominate the run, so outcomes come from
small pools: for each combination of the facts that follow from the collaboration (partner kind,
form of collaboration, technology sensitivity, dual use) and each target level, a handful of
distinct answer sets are drawn (biased towards low risk, with some "don't know"), scored once by
``rsdesk.services.appraisal.score`` and reused. Every stored level, score and result is therefore
exactly what the engine says for the stored answers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rsdesk.models import Appraisal, MitigationMeasure
from rsdesk.models.enums import RiskLevel
from rsdesk.services.appraisal import AppraisalModel, load_model, score
from rsdesk.services.demo.context import DemoContext

#: Above this many collaborations the frozen result leaves out its per-answer echo (question and
#: option texts, about 80 % of its size: the answers themselves stay in ``Appraisal.answers``), so
#: that 100,000 collaborations still generate in well under a minute.
FULL_RESULT_MAX_SIZE = 5_000
#: Distinct answer sets kept per (facts, target level), at most.
POOL_SIZE = 4
LEVELS = tuple(level.value for level in RiskLevel)

#: Per target level: chance of a risk-raising answer, of "don't know", of a good safeguard.
BIAS = {
    "low": (0.02, 0.02, 0.8),
    "medium": (0.08, 0.04, 0.6),
    "high": (0.16, 0.06, 0.5),
    "very_high": (0.22, 0.06, 0.4),
}
JUSTIFICATIONS = (
    "Stated in the project description.",
    "Confirmed by the principal investigator.",
    "Found in the partner's public annual report.",
    "From the due-diligence check of the partner.",
    "Discussed with the department's research-security adviser.",
    "Follows from the draft agreement.",
)

FACT_QUESTIONS = frozenset(
    {"partner_kind", "form_kind", "research_critical_technology", "research_dual_use"}
)


@dataclass(frozen=True)
class Outcome:
    answers: dict[str, str]
    justifications: dict[str, str]
    result: dict[str, Any]
    level: str
    score: int
    review_months: int
    sign_off: str
    #: Measure codes the engine suggests for the factors found.
    measures: tuple[str, ...]


def plain(value: Any) -> Any:
    """JSON-ready copy of a result dataclass (much faster than ``dataclasses.asdict``)."""
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if cls is tuple or cls is list:
        return [plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {key: plain(item) for key, item in value.__dict__.items()}
    return value


class Appraiser:
    """Draws engine-scored outcomes for collaborations, deterministically from ``ctx.rng``."""

    def __init__(self, ctx: DemoContext, model: AppraisalModel | None = None) -> None:
        self.ctx = ctx
        self.model = model or load_model()
        self.full_results = ctx.size <= FULL_RESULT_MAX_SIZE
        self._pools: dict[tuple[Any, ...], list[Outcome]] = {}
        self.pool_size = min(POOL_SIZE, 2 + ctx.size // 20_000)
        self._free = [q for q in self.model.questions if q.id not in FACT_QUESTIONS]
        self._has = {q.id for q in self.model.questions}

    @property
    def model_id(self) -> str:
        return self.model.id

    @property
    def model_version(self) -> str:
        return self.model.version

    def review_months(self, level: str) -> int:
        return self.model.level(level).review_months

    def outcome(self, facts: dict[str, str], target: str, *, draft: bool = False) -> Outcome:
        key = (tuple(sorted(facts.items())), target, draft)
        pool = self._pools.setdefault(key, [])
        if len(pool) < self.pool_size:
            pool.append(self._new_outcome(facts, target, draft))
            return pool[-1]
        return self.ctx.rng.choice(pool)

    def _new_outcome(self, facts: dict[str, str], target: str, draft: bool) -> Outcome:
        best: Outcome | None = None
        for _ in range(2):
            candidate = self._score(self._answers(facts, target, draft))
            if candidate.level == target:
                return candidate
            if best is None or abs(LEVELS.index(candidate.level) - LEVELS.index(target)) < abs(
                LEVELS.index(best.level) - LEVELS.index(target)
            ):
                best = candidate
        assert best is not None
        return best

    def _answers(self, facts: dict[str, str], target: str, draft: bool) -> dict[str, str]:
        rng = self.ctx.rng
        risky, unknown, good = BIAS[target]
        answers = {qid: option for qid, option in facts.items() if qid in self._has}
        for question in self._free:
            if draft and rng.random() < 0.45:
                continue  # not answered yet
            options = question.options
            unknown_options = [o for o in options if o.unknown]
            if question.is_safeguard:
                best_option = min(options, key=lambda o: o.weight)
                if rng.random() < good:
                    answers[question.id] = best_option.id
                elif unknown_options and rng.random() < unknown * 2:
                    answers[question.id] = unknown_options[0].id
                else:
                    answers[question.id] = rng.choice(
                        [o for o in options if not o.unknown and o.id != best_option.id]
                        or [best_option]
                    ).id
                continue
            benign = [o for o in options if o.weight == 0 and not o.unknown]
            raising = [
                o
                for o in options
                if o.weight > 0
                and not o.unknown
                and (
                    o.severe is None
                    or target == "very_high"
                    or (target == "high" and rng.random() < 0.3)
                )
            ]
            draw = rng.random()
            if draw < risky and raising:
                answers[question.id] = rng.choice(raising).id
            elif draw < risky + unknown and unknown_options:
                answers[question.id] = unknown_options[0].id
            else:
                answers[question.id] = (benign or options)[0].id
        return answers

    def _score(self, answers: dict[str, str]) -> Outcome:
        rng = self.ctx.rng
        model = self.model
        justifications = {}
        for qid, option_id in answers.items():
            question = model.question(qid)
            if question.justify and question.option(option_id).weight > 0:
                justifications[qid] = rng.choice(JUSTIFICATIONS)
        result = score(model, answers, justifications)
        if not self.full_results:
            result = replace(result, answers=())
        data = plain(result)
        level = model.level(result.level)
        return Outcome(
            answers=answers,
            justifications=justifications,
            result=data,
            level=result.level,
            score=result.total,
            review_months=level.review_months,
            sign_off=level.sign_off,
            measures=tuple(m.code for m in result.measures),
        )


def write_planned(ctx: DemoContext) -> dict[str, int]:
    """Writes the appraisals and measures planned so far (their collaborations must be written)
    and forgets them; returns the running totals.

    The collaborations section calls it after each of its batches, so that appraisals are written
    while later collaborations are still being generated (in a separate generating process the
    two then overlap) and the plans never pile up.
    """
    totals: dict[str, int] = ctx.extra.setdefault(
        "planned_written", {"appraisals": 0, "mitigation measures": 0}
    )
    measures: list[dict[str, Any]] = ctx.extra.setdefault("measure_plans", [])
    totals["appraisals"] += ctx.write(Appraisal.__table__, ctx.appraisal_plans)
    totals["mitigation measures"] += ctx.write(MitigationMeasure.__table__, measures)
    ctx.appraisal_plans.clear()
    measures.clear()
    return totals


def appraisals(ctx: DemoContext) -> dict[str, int]:
    """Writes the appraisals and measures the collaborations section planned and has not
    written yet."""
    return dict(write_planned(ctx))
