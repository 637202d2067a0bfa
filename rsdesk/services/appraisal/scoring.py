"""The scoring engine: answers in, result out. Pure, deterministic and explainable.

It reads nothing but the model and the answers: no database, no clock, and never a country.

1. Each answered (or unanswered, which counts as "don't know") risk question adds its option's
   points to its dimension: the dimension's *gross* score.
2. Safeguard answers subtract points from the dimension they protect, but never below that
   dimension's floor: ``max(floor, ceil(floor_share * gross))`` (and never below zero).
3. The total is the sum of the dimension scores; the model's thresholds turn it into a level.
4. A severe answer (a listed partner, weapons or repression end use...) forces a minimum level on
   its own, however benign the rest is: averages do not hide it.
5. Every "don't know" is a due-diligence gap; every answer that raised the score is a factor, with
   its points; the measures tied to those factors are suggested.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from rsdesk.models.enums import RiskLevel
from rsdesk.services.appraisal.model import AppraisalModel


@dataclass(frozen=True)
class DimensionScore:
    id: str
    name: str
    #: Points from the risk answers, before safeguards.
    gross: int
    #: Points safeguards actually removed (after the floor), zero or positive.
    reduction: int
    #: gross - reduction.
    score: int
    #: The lowest the safeguards may bring this dimension to.
    floor: int


@dataclass(frozen=True)
class Factor:
    """An answer that raised the score."""

    question: str
    option: str
    dimension: str
    points: int
    question_text: str
    option_text: str
    unknown: bool = False


@dataclass(frozen=True)
class Safeguard:
    question: str
    option: str
    reduces: str
    #: Nominal points (negative); the floor may keep some of them from applying.
    points: int
    question_text: str
    option_text: str


@dataclass(frozen=True)
class Gap:
    """A "don't know": counts as risk and is due diligence still to do."""

    question: str
    question_text: str
    option: str
    #: "unknown" (answered "don't know") or "unanswered".
    reason: str


@dataclass(frozen=True)
class SevereFactor:
    question: str
    option: str
    question_text: str
    option_text: str
    minimum_level: str


@dataclass(frozen=True)
class SuggestedMeasure:
    code: str
    text: str
    #: Ids of the questions whose answers call for it.
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class AnswerRecord:
    """One question and its answer as the user saw them, frozen with the result."""

    question: str
    question_text: str
    option: str | None
    option_text: str
    points: int
    justification: str = ""


@dataclass(frozen=True)
class ScoreResult:
    model_id: str
    model_version: str
    dimensions: tuple[DimensionScore, ...]
    total: int
    #: Level from the total alone.
    score_level: str
    #: Final level: the higher of the score level and the severe factors' minimum levels.
    level: str
    level_name: str
    review_months: int
    consequence: str
    sign_off: str
    factors: tuple[Factor, ...]
    safeguards: tuple[Safeguard, ...]
    gaps: tuple[Gap, ...]
    severe: tuple[SevereFactor, ...]
    measures: tuple[SuggestedMeasure, ...]
    #: Questions whose answer raises risk and needs a justification that is missing.
    justifications_missing: tuple[str, ...]
    answers: tuple[AnswerRecord, ...] = field(default=())

    @property
    def risk_level(self) -> RiskLevel:
        return RiskLevel(self.level)

    @property
    def raised_by_severe(self) -> bool:
        return self.level != self.score_level

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreResult:
        def many(kind: Any, key: str) -> tuple[Any, ...]:
            items = []
            for item in data.get(key, ()):
                values = dict(item)
                if kind is SuggestedMeasure:
                    values["addresses"] = tuple(values["addresses"])
                items.append(kind(**values))
            return tuple(items)

        simple = {
            key: data[key]
            for key in (
                "model_id",
                "model_version",
                "total",
                "score_level",
                "level",
                "level_name",
                "review_months",
                "consequence",
                "sign_off",
            )
        }
        return cls(
            **simple,
            dimensions=many(DimensionScore, "dimensions"),
            factors=many(Factor, "factors"),
            safeguards=many(Safeguard, "safeguards"),
            gaps=many(Gap, "gaps"),
            severe=many(SevereFactor, "severe"),
            measures=many(SuggestedMeasure, "measures"),
            justifications_missing=tuple(data.get("justifications_missing", ())),
            answers=many(AnswerRecord, "answers"),
        )

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> ScoreResult:
        return cls.from_dict(json.loads(text) if isinstance(text, str) else text)


def score(
    model: AppraisalModel,
    answers: dict[str, str],
    justifications: dict[str, str] | None = None,
) -> ScoreResult:
    """Score ``answers`` ({question_id: option_id}) with ``model``.

    Answers must have been checked (``model.check_answers``); an unknown id raises KeyError.
    Missing questions count as their "don't know" option.
    """
    justifications = justifications or {}
    gross = {d.id: 0 for d in model.dimensions if not d.safeguard}
    nominal_reduction = dict.fromkeys(gross, 0)
    factors: list[Factor] = []
    safeguards: list[Safeguard] = []
    gaps: list[Gap] = []
    severe: list[SevereFactor] = []
    missing: list[str] = []
    records: list[AnswerRecord] = []
    addressed: dict[str, list[str]] = {}

    for question in model.questions:
        chosen = answers.get(question.id)
        option = question.option(chosen) if chosen is not None else question.unanswered_option
        records.append(
            AnswerRecord(
                question=question.id,
                question_text=question.text,
                option=chosen,
                option_text=option.text if chosen is not None else "(unanswered)",
                points=option.weight,
                justification=justifications.get(question.id, ""),
            )
        )
        if option.unknown or chosen is None:
            gaps.append(
                Gap(
                    question=question.id,
                    question_text=question.text,
                    option=option.id,
                    reason="unanswered" if chosen is None else "unknown",
                )
            )
        if question.reduces is not None:
            if option.weight < 0:
                nominal_reduction[question.reduces] += -option.weight
                safeguards.append(
                    Safeguard(
                        question=question.id,
                        option=option.id,
                        reduces=question.reduces,
                        points=option.weight,
                        question_text=question.text,
                        option_text=option.text,
                    )
                )
            continue
        gross[question.dimension] += option.weight
        if option.weight > 0:
            factors.append(
                Factor(
                    question=question.id,
                    option=option.id,
                    dimension=question.dimension,
                    points=option.weight,
                    question_text=question.text,
                    option_text=option.text,
                    unknown=option.unknown or chosen is None,
                )
            )
            for code in question.measures:
                addressed.setdefault(code, []).append(question.id)
            if question.justify and chosen is not None and not justifications.get(question.id):
                missing.append(question.id)
        if option.severe is not None:
            severe.append(
                SevereFactor(
                    question=question.id,
                    option=option.id,
                    question_text=question.text,
                    option_text=option.text,
                    minimum_level=option.severe.value,
                )
            )

    dimensions = []
    for dimension in model.dimensions:
        if dimension.safeguard:
            continue
        raw = gross[dimension.id]
        floor = min(raw, max(dimension.floor, math.ceil(dimension.floor_share * raw)))
        net = max(raw - nominal_reduction[dimension.id], floor)
        dimensions.append(
            DimensionScore(
                id=dimension.id,
                name=dimension.name,
                gross=raw,
                reduction=raw - net,
                score=net,
                floor=floor,
            )
        )
    total = sum(d.score for d in dimensions)
    score_level = model.level_for_score(total)
    final = score_level
    for item in severe:
        forced = model.level(item.minimum_level)
        if forced.id.rank > final.id.rank:
            final = forced

    measures = tuple(
        SuggestedMeasure(code=m.code, text=m.text, addresses=tuple(addressed[m.code]))
        for m in model.measures
        if m.code in addressed
    )
    return ScoreResult(
        model_id=model.id,
        model_version=model.version,
        dimensions=tuple(dimensions),
        total=total,
        score_level=score_level.id.value,
        level=final.id.value,
        level_name=final.name,
        review_months=final.review_months,
        consequence=final.consequence,
        sign_off=final.sign_off,
        factors=tuple(sorted(factors, key=lambda f: (-f.points, f.question))),
        safeguards=tuple(safeguards),
        gaps=tuple(gaps),
        severe=tuple(severe),
        measures=measures,
        justifications_missing=tuple(missing),
        answers=tuple(records),
    )
