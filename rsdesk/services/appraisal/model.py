"""The appraisal model (question bank and scoring rules) loaded from a TOML file and validated.

The shipped model is ``resources/questionbank/default.toml``. An institution may replace it with an
adjusted copy, stored in the ``setting`` table under :data:`SETTING_KEY` (the file's text, so that
every laptop on a shared server uses the same model). The *effective* version of a model is its
declared version plus a hash of its content, so an adjusted copy that keeps the declared version
still gets a version of its own, and an appraisal always says exactly which model scored it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rsdesk.models import Setting
from rsdesk.models.enums import RiskLevel
from rsdesk.resources import resource_path
from rsdesk.services.errors import KnownError, ValidationError

#: Setting key holding an institution's own model: ``{"toml": <file text>, "source": <file name>}``.
SETTING_KEY = "appraisal.model"

DEFAULT_MODEL = ("questionbank", "default.toml")


class ModelError(KnownError):
    """The model file is not a valid appraisal model; the message names the problem."""


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    weight: int
    #: "Don't know": counts its points and is listed as a due-diligence gap.
    unknown: bool = False
    #: A severe answer lifts the level to at least this on its own.
    severe: RiskLevel | None = None


@dataclass(frozen=True)
class Question:
    id: str
    page: str
    dimension: str
    text: str
    help: str
    options: tuple[Option, ...]
    measures: tuple[str, ...] = ()
    #: An answer with points above zero needs a written justification before sign-off.
    justify: bool = True
    #: For safeguard questions: the dimension whose score they lower.
    reduces: str | None = None

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    def has_option(self, option_id: str) -> bool:
        return any(option.id == option_id for option in self.options)

    @property
    def unanswered_option(self) -> Option:
        """What an unanswered question counts as: its "unknown" option (or first unknown one)."""
        unknown = [option for option in self.options if option.unknown]
        for option in unknown:
            if option.id == "unknown":
                return option
        return unknown[0]

    @property
    def is_safeguard(self) -> bool:
        return self.reduces is not None

    def raises_risk(self, option_id: str) -> bool:
        return self.option(option_id).weight > 0


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    description: str = ""
    #: Safeguards never bring a dimension below max(floor, ceil(floor_share * gross)).
    floor: int = 0
    floor_share: float = 0.0
    #: The safeguards dimension: its questions lower other dimensions.
    safeguard: bool = False


@dataclass(frozen=True)
class Level:
    id: RiskLevel
    name: str
    min_score: int
    review_months: int
    consequence: str
    sign_off: str


@dataclass(frozen=True)
class Measure:
    code: str
    text: str


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    intro: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class AppraisalModel:
    id: str
    #: Effective version: declared version + "+" + content hash (what appraisals record).
    version: str
    declared_version: str
    content_hash: str
    title: str
    description: str
    dimensions: tuple[Dimension, ...]
    levels: tuple[Level, ...]
    measures: tuple[Measure, ...]
    pages: tuple[Page, ...]
    questions: tuple[Question, ...]
    #: Where it came from, for messages and the settings screen.
    source: str = ""

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def has_question(self, question_id: str) -> bool:
        return any(question.id == question_id for question in self.questions)

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def level(self, level: RiskLevel | str) -> Level:
        for item in self.levels:
            if item.id == level:
                return item
        raise KeyError(level)

    def measure(self, code: str) -> Measure:
        for measure in self.measures:
            if measure.code == code:
                return measure
        raise KeyError(code)

    def page_questions(self, page_id: str) -> list[Question]:
        return [q for q in self.questions if q.page == page_id]

    def level_for_score(self, total: int) -> Level:
        reached = [level for level in self.levels if total >= level.min_score]
        return reached[-1] if reached else self.levels[0]

    def to_public_json(self) -> dict[str, Any]:
        """The bank as plain data (``rsdesk appraisal questions``, forms, other tools)."""
        return {
            "model": {
                "id": self.id,
                "version": self.version,
                "declared_version": self.declared_version,
                "title": self.title,
            },
            "dimensions": [
                {"id": d.id, "name": d.name, "safeguard": d.safeguard} for d in self.dimensions
            ],
            "levels": [
                {
                    "id": str(level.id),
                    "name": level.name,
                    "min_score": level.min_score,
                    "review_months": level.review_months,
                    "consequence": level.consequence,
                    "sign_off": level.sign_off,
                }
                for level in self.levels
            ],
            "pages": [
                {"id": p.id, "title": p.title, "questions": list(p.questions)} for p in self.pages
            ],
            "questions": [
                {
                    "id": q.id,
                    "page": q.page,
                    "dimension": q.dimension,
                    **({"reduces": q.reduces} if q.reduces else {}),
                    "text": q.text,
                    "help": q.help,
                    "justify": q.justify,
                    "options": [
                        {
                            "id": o.id,
                            "text": o.text,
                            "weight": o.weight,
                            **({"unknown": True} if o.unknown else {}),
                            **({"severe": str(o.severe)} if o.severe else {}),
                        }
                        for o in q.options
                    ],
                    "measures": list(q.measures),
                }
                for q in self.questions
            ],
            "measures": [{"code": m.code, "text": m.text} for m in self.measures],
        }


# --- parsing and validation -----------------------------------------------------------------


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> ModelError:
        return ModelError(f"{self.source}: {where}: {problem}")

    def text(self, table: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"'{key}' must be a non-empty text")
        return value.strip()

    def integer(
        self, table: dict[str, Any], key: str, where: str, default: int | None = None
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"'{key}' must be a whole number")
        return value

    def identifier(self, table: dict[str, Any], key: str, where: str) -> str:
        value = self.text(table, key, where)
        if not value.replace("_", "").replace("-", "").isalnum() or not value.isascii():
            raise self.fail(where, f"'{key}' {value!r} may only hold letters, digits, '_' and '-'")
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"at least one [[{key}]] is required")
        for item in value:
            if not isinstance(item, dict):
                raise self.fail(key, f"every '{key}' must be a table")
        return value

    def unique(self, ids: list[str], what: str) -> None:
        seen: set[str] = set()
        for item in ids:
            if item in seen:
                raise self.fail(what, f"id {item!r} is used twice")
            seen.add(item)


def parse_model(data: dict[str, Any], source: str = "model") -> AppraisalModel:
    """Validate the parsed TOML of a model and build it; raise ModelError naming the problem."""
    check = _Checker(source)
    header = data.get("model")
    if not isinstance(header, dict):
        raise check.fail("[model]", "the [model] table with id and version is missing")
    model_id = check.identifier(header, "id", "[model]")
    declared = check.text(header, "version", "[model]")
    if len(declared) > 28:
        raise check.fail("[model]", "'version' must be at most 28 characters")

    dimensions = []
    for item in check.tables(data, "dimension"):
        where = f"dimension {item.get('id', '?')!r}"
        share = item.get("floor_share", 0.0)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise check.fail(where, "'floor_share' must be a number from 0 to 1")
        floor = check.integer(item, "floor", where, 0)
        if floor < 0:
            raise check.fail(where, "'floor' must not be negative")
        kind = item.get("kind", "risk")
        if kind not in ("risk", "safeguard"):
            raise check.fail(where, "'kind' must be 'risk' or 'safeguard'")
        dimensions.append(
            Dimension(
                id=check.identifier(item, "id", where),
                name=check.text(item, "name", where),
                description=check.text(item, "description", where, required=False),
                floor=floor,
                floor_share=float(share),
                safeguard=kind == "safeguard",
            )
        )
    check.unique([d.id for d in dimensions], "dimension")
    dimension_ids = {d.id for d in dimensions}
    risk_dimensions = {d.id for d in dimensions if not d.safeguard}
    safeguard_dimensions = dimension_ids - risk_dimensions
    if not risk_dimensions:
        raise check.fail("dimension", "at least one risk dimension is required")

    levels = []
    for item in check.tables(data, "level"):
        where = f"level {item.get('id', '?')!r}"
        try:
            level_id = RiskLevel(str(item.get("id")))
        except ValueError:
            known = ", ".join(level.value for level in RiskLevel)
            raise check.fail(where, f"'id' must be one of {known}") from None
        months = check.integer(item, "review_months", where)
        if months <= 0:
            raise check.fail(where, "'review_months' must be positive")
        levels.append(
            Level(
                id=level_id,
                name=check.text(item, "name", where),
                min_score=check.integer(item, "min_score", where),
                review_months=months,
                consequence=check.text(item, "consequence", where),
                sign_off=check.text(item, "sign_off", where),
            )
        )
    if [level.id for level in levels] != list(RiskLevel):
        raise check.fail(
            "level", "the levels must be low, medium, high and very_high, in that order"
        )
    for lower, higher in zip(levels, levels[1:]):
        if higher.min_score <= lower.min_score:
            raise check.fail(f"level {higher.id.value!r}", "'min_score' must rise with the level")
        if higher.review_months > lower.review_months:
            raise check.fail(
                f"level {higher.id.value!r}", "'review_months' must not grow as risk rises"
            )

    measures = [
        Measure(
            code=check.identifier(item, "code", f"measure {item.get('code', '?')!r}"),
            text=check.text(item, "text", f"measure {item.get('code', '?')!r}"),
        )
        for item in check.tables(data, "measure")
    ]
    check.unique([m.code for m in measures], "measure")
    measure_codes = {m.code for m in measures}

    page_items = check.tables(data, "page")
    page_ids = [
        check.identifier(item, "id", f"page {item.get('id', '?')!r}") for item in page_items
    ]
    check.unique(page_ids, "page")

    questions = []
    for item in check.tables(data, "question"):
        where = f"question {item.get('id', '?')!r}"
        question_id = check.identifier(item, "id", where)
        page = check.text(item, "page", where)
        if page not in page_ids:
            raise check.fail(where, f"page {page!r} is not defined")
        dimension = check.text(item, "dimension", where)
        if dimension not in dimension_ids:
            raise check.fail(where, f"dimension {dimension!r} is not defined")
        reduces = item.get("reduces")
        if dimension in safeguard_dimensions:
            if reduces not in risk_dimensions:
                raise check.fail(
                    where, "a safeguard question must name the risk dimension it 'reduces'"
                )
        elif reduces is not None:
            raise check.fail(where, "only safeguard questions may have 'reduces'")
        justify = item.get("justify", True)
        if not isinstance(justify, bool):
            raise check.fail(where, "'justify' must be true or false")
        raw_measures = item.get("measures", [])
        if not isinstance(raw_measures, list) or not all(isinstance(m, str) for m in raw_measures):
            raise check.fail(where, "'measures' must be a list of measure codes")
        for code in raw_measures:
            if code not in measure_codes:
                raise check.fail(where, f"measure {code!r} is not in the catalogue")
        raw_options = item.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            raise check.fail(where, "at least two options are required")
        options = []
        for raw in raw_options:
            if not isinstance(raw, dict):
                raise check.fail(where, "every option must be a table")
            option_where = f"{where}, option {raw.get('id', '?')!r}"
            weight = check.integer(raw, "weight", option_where)
            if dimension in safeguard_dimensions and weight > 0:
                raise check.fail(option_where, "safeguard weights must be zero or negative")
            if dimension not in safeguard_dimensions and weight < 0:
                raise check.fail(option_where, "risk weights must be zero or positive")
            unknown = raw.get("unknown", False)
            if not isinstance(unknown, bool):
                raise check.fail(option_where, "'unknown' must be true or false")
            severe_raw = raw.get("severe")
            severe = None
            if severe_raw is not None:
                try:
                    severe = RiskLevel(severe_raw)
                except ValueError:
                    raise check.fail(
                        option_where, f"'severe' {severe_raw!r} is not a level"
                    ) from None
                if weight <= 0:
                    raise check.fail(option_where, "a severe option must carry positive points")
            options.append(
                Option(
                    id=check.identifier(raw, "id", option_where),
                    text=check.text(raw, "text", option_where),
                    weight=weight,
                    unknown=unknown,
                    severe=severe,
                )
            )
        check.unique([o.id for o in options], where)
        if not any(option.unknown for option in options):
            raise check.fail(where, 'one option must be marked unknown = true ("don\'t know")')
        questions.append(
            Question(
                id=question_id,
                page=page,
                dimension=dimension,
                text=check.text(item, "text", where),
                help=check.text(item, "help", where),
                options=tuple(options),
                measures=tuple(raw_measures),
                justify=justify,
                reduces=reduces,
            )
        )
    check.unique([q.id for q in questions], "question")

    pages = []
    for item, page_id in zip(page_items, page_ids):
        where = f"page {page_id!r}"
        ids = tuple(q.id for q in questions if q.page == page_id)
        if not ids:
            raise check.fail(where, "no question is on this page")
        pages.append(
            Page(
                id=page_id,
                title=check.text(item, "title", where),
                intro=check.text(item, "intro", where, required=False),
                questions=ids,
            )
        )

    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:10]
    return AppraisalModel(
        id=model_id,
        version=f"{declared}+{digest}",
        declared_version=declared,
        content_hash=digest,
        title=check.text(header, "title", "[model]", required=False) or model_id,
        description=check.text(header, "description", "[model]", required=False),
        dimensions=tuple(dimensions),
        levels=tuple(levels),
        measures=tuple(measures),
        pages=tuple(pages),
        questions=tuple(questions),
        source=source,
    )


def parse_model_text(text: str, source: str = "model") -> AppraisalModel:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: not a valid TOML file: {exc}") from None
    return parse_model(data, source)


_cache: dict[tuple[str, str], AppraisalModel] = {}


def _cached(text: str, source: str) -> AppraisalModel:
    key = (source, hashlib.sha256(text.encode()).hexdigest())
    model = _cache.get(key)
    if model is None:
        model = _cache[key] = parse_model_text(text, source)
    return model


def read_model_file(path: str | Path) -> AppraisalModel:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror})") from None
    return _cached(text, str(path))


def default_model() -> AppraisalModel:
    return read_model_file(resource_path(*DEFAULT_MODEL))


def load_model(path: str | Path | None = None, *, session: Session | None = None) -> AppraisalModel:
    """The model to appraise with.

    ``path`` wins if given; else, with a ``session``, the institution's copy stored under
    :data:`SETTING_KEY`; else the shipped default.
    """
    if path is not None:
        return read_model_file(path)
    if session is not None:
        value = session.scalar(select(Setting.value).where(Setting.key == SETTING_KEY))
        if isinstance(value, dict) and isinstance(value.get("toml"), str):
            return _cached(value["toml"], f"institution model ({value.get('source', 'setting')})")
    return default_model()


def install_institution_model(session: Session, path: str | Path) -> AppraisalModel:
    """Validate an adjusted model file and make it the institution's model (audited setting)."""
    path = Path(path)
    model = read_model_file(path)
    text = path.read_text(encoding="utf-8")
    setting = session.scalar(select(Setting).where(Setting.key == SETTING_KEY))
    if setting is None:
        setting = Setting(key=SETTING_KEY)
        session.add(setting)
    setting.value = {"toml": text, "source": path.name, "version": model.version}
    session.flush()
    return model


def institution_model_installed(session: Session) -> bool:
    """Whether an institution's own copy replaces the shipped model (the settings screen asks)."""
    return session.scalar(select(Setting.key).where(Setting.key == SETTING_KEY)) is not None


def reset_institution_model(session: Session) -> None:
    """Go back to the shipped default model."""
    setting = session.scalar(select(Setting).where(Setting.key == SETTING_KEY))
    if setting is not None:
        session.delete(setting)
        session.flush()


def check_answers(model: AppraisalModel, answers: Any, *, where: str = "answers") -> dict[str, str]:
    """Validate answers ``{question_id: option_id}``; raise ValidationError naming the first problem."""
    if not isinstance(answers, dict):
        raise ValidationError(f"{where} must be an object of question id to option id")
    clean: dict[str, str] = {}
    for question_id, option_id in answers.items():
        if not model.has_question(question_id):
            raise ValidationError(
                f"{where}: unknown question id {question_id!r} (model {model.id} {model.version})",
                field=question_id,
            )
        if option_id is None:
            continue
        if not isinstance(option_id, str):
            raise ValidationError(
                f"{where}: the answer to {question_id!r} must be an option id (text), "
                f"not {type(option_id).__name__}",
                field=question_id,
            )
        question = model.question(question_id)
        if not question.has_option(option_id):
            known = ", ".join(o.id for o in question.options)
            raise ValidationError(
                f"{where}: {option_id!r} is not an option of {question_id!r} (options: {known})",
                field=question_id,
            )
        clean[question_id] = option_id
    return clean


def check_justifications(
    model: AppraisalModel, justifications: Any, *, where: str = "justifications"
) -> dict[str, str]:
    if justifications is None:
        return {}
    if not isinstance(justifications, dict):
        raise ValidationError(f"{where} must be an object of question id to text")
    clean: dict[str, str] = {}
    for question_id, text in justifications.items():
        if not model.has_question(question_id):
            raise ValidationError(
                f"{where}: unknown question id {question_id!r}", field=question_id
            )
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValidationError(
                f"{where}: the justification of {question_id!r} must be text", field=question_id
            )
        if text.strip():
            clean[question_id] = text.strip()
    return clean
