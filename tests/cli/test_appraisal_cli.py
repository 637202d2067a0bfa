"""`rsdesk appraisal questions|score` as scripts use them: JSON out, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rsdesk.cli import main
from rsdesk.services.appraisal import load_model, score


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_questions_prints_the_bank(capsys):
    code, out, err = run(capsys, "appraisal", "questions")
    assert code == 0, err
    bank = json.loads(out)
    model = load_model()
    assert bank["model"]["version"] == model.version
    assert [q["id"] for q in bank["questions"]] == [q.id for q in model.questions]
    first = bank["questions"][0]
    assert {"id", "text", "help", "options", "dimension", "page"} <= set(first)
    assert all({"id", "text", "weight"} <= set(o) for o in first["options"])
    assert "country" not in out.lower()


def test_score_prints_the_engines_result(capsys, tmp_path: Path):
    answers = {"partner_listed": "listed", "research_maturity": "applied"}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), "utf-8")
    code, out, err = run(capsys, "appraisal", "score", str(path))
    assert code == 0, err
    result = json.loads(out)
    expected = score(load_model(), answers)
    assert result == json.loads(expected.to_json())
    assert result["level"] == "very_high"
    assert result["severe"][0]["question"] == "partner_listed"


def test_score_accepts_answers_with_justifications(capsys, tmp_path: Path):
    path = tmp_path / "answers.json"
    path.write_text(
        json.dumps(
            {
                "answers": {"form_confidentiality": "unusual"},
                "justifications": {"form_confidentiality": "Standard for the industry partner"},
            }
        ),
        "utf-8",
    )
    code, out, err = run(capsys, "appraisal", "score", str(path))
    assert code == 0, err
    assert "form_confidentiality" not in json.loads(out)["justifications_missing"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ("[1, 2]", "expected a JSON object"),
        ('{"no_such_question": "yes"}', "unknown question id 'no_such_question'"),
        ('{"partner_listed": "perhaps"}', "'perhaps' is not an option of 'partner_listed'"),
        ('{"partner_listed": true}', "must be an option id (text), not bool"),
        ('{"answers": [], "justifications": {}}', "'answers' must be an object"),
        ('{"answers": {}, "notes": {}}', "unexpected key 'notes'"),
        ('{"answers": {}, "justifications": {"partner_listed": 5}}', "must be text"),
    ],
)
def test_bad_answers_file_is_one_clear_line_and_exit_1(capsys, tmp_path: Path, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content, "utf-8")
    code, out, err = run(capsys, "appraisal", "score", str(path))
    assert code == 1
    assert out == ""
    assert message in err
    assert str(path) in err
    assert err.count("\n") == 1


def test_missing_file_and_usage_errors(capsys, tmp_path: Path):
    code, _, err = run(capsys, "appraisal", "score", str(tmp_path / "absent.json"))
    assert code == 1
    assert "no such file" in err
    with pytest.raises(SystemExit) as caught:
        main(["appraisal"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["appraisal", "form", "12"])  # --out is required
    assert caught.value.code == 2


def test_exit_code_from_a_real_process(tmp_path: Path):
    path = tmp_path / "answers.json"
    path.write_text('{"partner_listed": "perhaps"}', "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "rsdesk", "appraisal", "score", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("rsdesk: ")


def test_output_piped_into_a_reader_that_has_gone_is_not_an_error():
    """``rsdesk appraisal questions | head -c 100``: a closed pipe ends the command quietly."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone: every write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rsdesk", "appraisal", "questions"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert b"BrokenPipe" not in done.stderr


def test_model_install_and_reset(capsys, db_path, tmp_path: Path):
    from rsdesk.resources import resource_path

    adjusted = tmp_path / "ours.toml"
    text = resource_path("questionbank", "default.toml").read_text("utf-8")
    adjusted.write_text(text.replace("review_months = 36", "review_months = 30"), "utf-8")
    code, out, err = run(
        capsys, "--db", str(db_path), "appraisal", "model", "--install", str(adjusted)
    )
    assert code == 0, err
    installed = json.loads(out)
    assert installed["institution_copy"] is True
    assert installed["version"] != load_model().version
    # The database's model now scores: the CLI's score with --db uses it.
    answers = tmp_path / "a.json"
    answers.write_text("{}", "utf-8")
    code, out, _ = run(capsys, "--db", str(db_path), "appraisal", "score", str(answers))
    assert json.loads(out)["model_version"] == installed["version"]
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace("[[level]]", "[[levels]]"), "utf-8")
    code, _, err = run(capsys, "--db", str(db_path), "appraisal", "model", "--install", str(broken))
    assert code == 1
    assert "broken.toml" in err
    code, out, _ = run(capsys, "--db", str(db_path), "appraisal", "model", "--reset")
    assert json.loads(out)["institution_copy"] is False
    assert json.loads(out)["version"] == load_model().version
