"""Loading and validating appraisal models; versions; the institution's own copy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from rsdesk.models.enums import RiskLevel
from rsdesk.resources import resource_path
from rsdesk.services.appraisal import (
    ModelError,
    install_institution_model,
    load_model,
    reset_institution_model,
)
from rsdesk.services.appraisal.model import parse_model_text

DEFAULT = resource_path("questionbank", "default.toml")


def default_text() -> str:
    return DEFAULT.read_text(encoding="utf-8")


def test_default_model_is_complete():
    model = load_model()
    assert model.id == "rsdesk-default"
    assert 30 <= len(model.questions) <= 50
    assert [level.id for level in model.levels] == list(RiskLevel)
    assert [level.review_months for level in model.levels] == [36, 24, 12, 6]
    risk = {d.id for d in model.dimensions if not d.safeguard}
    assert risk == {"research", "partner", "form", "legal"}
    for dimension in model.dimensions:
        assert model.page_questions, dimension
        assert any(q.dimension == dimension.id for q in model.questions)
    # Every risk factor names measures that address it, and there are severe flags.
    for question in model.questions:
        if question.reduces is None:
            assert question.measures, question.id
        assert question.help.startswith("Why it matters"), question.id
    assert {o.severe for q in model.questions for o in q.options if o.severe} == {
        RiskLevel.HIGH,
        RiskLevel.VERY_HIGH,
    }


def test_default_model_is_country_agnostic():
    data = tomllib.loads(default_text())

    def keys(value: object) -> list[str]:
        if isinstance(value, dict):
            return [k for k, v in value.items() for k in [k, *keys(v)]]
        if isinstance(value, list):
            return [k for item in value for k in keys(item)]
        return []

    assert not [k for k in keys(data) if "country" in k.lower() or "nation" in k.lower()]
    # No jurisdiction appears in any question or option: the text speaks about the partner.
    text = " ".join(
        [q["text"] for q in data["question"]]
        + [o["text"] for q in data["question"] for o in q["options"]]
    )
    assert not re.search(r"\b(country|countries|nation|jurisdiction)\b", text, re.IGNORECASE)


def test_effective_version_follows_content_not_formatting():
    original = parse_model_text(default_text())
    reformatted = parse_model_text("# a comment\n\n" + default_text().replace(" = ", "="))
    assert reformatted.version == original.version
    adjusted = parse_model_text(
        default_text().replace(
            '{ id = "most_sensitive", text = "Yes, semiconductors, AI, quantum or biotechnology", weight = 6 }',
            '{ id = "most_sensitive", text = "Yes, semiconductors, AI, quantum or biotechnology", weight = 8 }',
        )
    )
    assert adjusted.declared_version == original.declared_version
    assert adjusted.version != original.version
    assert adjusted.version.startswith(original.declared_version + "+")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('measures = ["narrow_scope", "compartmentalise"', 'measures = ["no_such_measure"'),
            "measure 'no_such_measure' is not in the catalogue",
        ),
        (
            ('{ id = "unknown", text = "Don\'t know yet", weight = 4, unknown = true },', ""),
            "question 'research_critical_technology': one option must be marked unknown",
        ),
        (
            ('id = "partner_misconduct"', 'id = "partner_human_rights"'),
            "question: id 'partner_human_rights' is used twice",
        ),
        (
            ('weight = 15, severe = "very_high"', 'weight = 15, severe = "extreme"'),
            "'severe' 'extreme' is not a level",
        ),
        (("min_score = 25", "min_score = 5"), "level 'high': 'min_score' must rise with the level"),
        (('reduces = "form"', 'reduces = "nowhere"'), "must name the risk dimension it 'reduces'"),
        (
            (
                '{ id = "yes", text = "Yes, signed", weight = -2 }',
                '{ id = "yes", text = "Yes, signed", weight = 2 }',
            ),
            "safeguard weights must be zero or negative",
        ),
        (
            (
                '{ id = "long", text = "Long and good", weight = 0 }',
                '{ id = "long", text = "Long and good", weight = "low" }',
            ),
            "option 'long': 'weight' must be a whole number",
        ),
    ],
)
def test_invalid_models_are_rejected_naming_the_problem(tmp_path: Path, change, message):
    old, new = change
    text = default_text()
    assert old in text
    path = tmp_path / "adjusted.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_not_toml_and_missing_file(tmp_path: Path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[model\nid=", encoding="utf-8")
    with pytest.raises(ModelError, match="not a valid TOML file"):
        load_model(broken)
    with pytest.raises(ModelError, match="no such model file"):
        load_model(tmp_path / "absent.toml")


def test_institution_copy_is_used_and_has_its_own_version(db, tmp_path: Path):
    path = tmp_path / "our-model.toml"
    path.write_text(default_text().replace("review_months = 36", "review_months = 30"), "utf-8")
    with db.unit_of_work() as session:
        installed = install_institution_model(session, path)
    with db.read() as session:
        model = load_model(session=session)
    assert model.version == installed.version != load_model().version
    assert model.level("low").review_months == 30
    with db.unit_of_work() as session:
        reset_institution_model(session)
    with db.read() as session:
        assert load_model(session=session).version == load_model().version


def test_installing_a_broken_copy_changes_nothing(db, tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(default_text().replace("[model]", "[modell]"), "utf-8")
    with pytest.raises(ModelError), db.unit_of_work() as session:
        install_institution_model(session, path)
    with db.read() as session:
        assert load_model(session=session).version == load_model().version
