"""Responsibilities: defaults, validation, who may sign off at which level, and the appraisal
sign-off refusing a role or person not allowed for the level once the office has saved its copy."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest
from sqlalchemy import select

from rsdesk.models import Appraisal, Department
from rsdesk.models.enums import AppraisalStatus, RiskLevel
from rsdesk.services import responsibilities
from rsdesk.services.appraisal import load_model, workflow
from rsdesk.services.appraisal.workflow import SignOff
from rsdesk.services.errors import KnownError, ValidationError
from tests.services.appraisal.helpers import (
    benign_answers,
    justify_all,
    make_collaboration,
    make_partner,
)

MODEL = load_model()

EDITED = """
[central_contact]
role = "Research-security officer"
name = "Kim Desk"
email = "desk@example.org"

[[adviser]]
department = "Physics"
name = "Pat Adviser"

[sign_off.medium]
roles = ["Research-security officer"]

[sign_off.high]
roles = ["Dean"]
people = ["Sam Senior"]

[sign_off.very_high]
roles = ["Executive board"]
"""


@pytest.fixture
def db(db):
    """The edited copy names an adviser for Physics, which must be one of the departments."""
    with db.unit_of_work() as session:
        session.add(Department(name="Physics"))
        session.add(Department(name="Department of Chemistry"))
    return db


def test_shipped_defaults_name_a_signer_for_every_level():
    data = responsibilities.load()
    assert data.source == "shipped"
    assert not data.enforced
    for level in RiskLevel:
        roles, _people = data.allowed_signers(level)
        assert roles, level


def test_authority_grows_with_risk():
    data = responsibilities.parse(tomllib.loads(EDITED))
    assert data.allowed_signers("very_high") == (("Executive board",), ())
    assert data.allowed_signers("high") == (("Dean", "Executive board"), ("Sam Senior",))
    assert data.allowed_signers("medium") == (
        ("Research-security officer", "Dean", "Executive board"),
        ("Sam Senior",),
    )
    # low lists nothing of its own: whoever may sign off above may sign off low too
    assert data.allowed_signers("low") == data.allowed_signers("medium")


def test_save_load_reset_round_trip(db):
    with db.unit_of_work() as session:
        saved = responsibilities.save_text(session, EDITED)
        assert saved.enforced
    with db.read() as session:
        loaded = responsibilities.load(session)
        assert loaded.central_contact.name == "Kim Desk"
        assert responsibilities.adviser_for(session, "physics").name == "Pat Adviser"
        assert responsibilities.adviser_for(session, "Chemistry").name == "Kim Desk"
        assert responsibilities.edited_text(session) == EDITED
    with db.unit_of_work() as session:
        changed = dataclasses.replace(
            loaded, central_contact=dataclasses.replace(loaded.central_contact, name="Lee Desk")
        )
        responsibilities.save(session, changed)
    with db.read() as session:
        assert responsibilities.load(session).central_contact.name == "Lee Desk"
    with db.unit_of_work() as session:
        responsibilities.reset(session)
    with db.read() as session:
        assert responsibilities.load(session).source == "shipped"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sign_off.extreme]\nroles = ['Board']", "unknown risk level 'extreme'"),
        ("[sign_off.high]\nroles = 'Dean'", "must be a list"),
        ("[sign_off.high]\nroles = ['Dean', ' dean ']", "same entry twice"),
        ("[[adviser]]\nname = 'X'", "name the department"),
        ("[[adviser]]\ndepartment = 'Physics'", "adviser's name"),
        ("[central_contact]\nrole = ''\nname = ''", "give a role or a name"),
        ("[oops]\nx = 1", "unknown section 'oops'"),
        ("sign_off = [", "not valid TOML"),
    ],
)
def test_bad_responsibilities_are_refused_and_nothing_stored(db, text, message):
    if "central_contact" not in text:
        text = "[central_contact]\nrole = 'Research-security officer'\n" + text
    with db.unit_of_work() as session, pytest.raises(KnownError, match=message):
        responsibilities.save_text(session, text)
    with db.read() as session:
        assert responsibilities.load(session).source == "shipped"


def _draft_at(session, level: str) -> int:
    answers = benign_answers(MODEL)
    if level == "very_high":
        answers["partner_listed"] = "listed"
    collaboration = make_collaboration(session, partners=[make_partner(session, "Lab of Optics")])
    draft = workflow.create_draft(session, collaboration.id)
    saved = workflow.save_draft(session, draft.id, answers, justify_all(answers))
    assert saved.result is not None
    assert saved.result.level == level
    return draft.id


def test_sign_off_refuses_a_role_not_allowed_for_the_level(db):
    with db.unit_of_work() as session:
        responsibilities.save_text(session, EDITED)
        draft_id = _draft_at(session, "very_high")
    with db.unit_of_work() as session:
        with pytest.raises(
            ValidationError, match="Very high appraisal may be signed off only by: Executive board"
        ) as refused:
            workflow.sign_off(
                session, draft_id, SignOff("reject", "Robin Officer", "Dean", note="Too risky")
            )
        assert refused.value.field == "role"
    with db.read() as session:
        assert session.get(Appraisal, draft_id).status == AppraisalStatus.DRAFT
    with db.unit_of_work() as session:
        signed = workflow.sign_off(
            session,
            draft_id,
            SignOff("reject", "Robin Officer", "executive  Board", note="Too risky"),
        )
        assert signed.signed_off_role == "executive  Board"


def test_a_named_person_may_sign_off_and_higher_authority_covers_lower_levels(db):
    with db.unit_of_work() as session:
        responsibilities.save_text(session, EDITED)
        low = _draft_at(session, "low")
        other = _draft_at(session, "low")
        refused = _draft_at(session, "low")
    with db.unit_of_work() as session:
        workflow.sign_off(session, low, SignOff("approve", "Sam Senior"))
        workflow.sign_off(session, other, SignOff("approve", "A. Board Member", "Executive board"))
    with (
        db.unit_of_work() as session,
        pytest.raises(ValidationError, match="Robin Officer is not allowed"),
    ):
        workflow.sign_off(session, refused, SignOff("approve", "Robin Officer"))
    with db.read() as session:
        statuses = dict(session.execute(select(Appraisal.id, Appraisal.status)).all())
    assert statuses[low] == statuses[other] == AppraisalStatus.SIGNED_OFF
    assert statuses[refused] == AppraisalStatus.DRAFT


def test_escalating_is_open_to_any_officer(db):
    """Escalation hands the decision up; it is not itself a sign-off of the level."""
    with db.unit_of_work() as session:
        responsibilities.save_text(session, EDITED)
        draft_id = _draft_at(session, "very_high")
        signed = workflow.sign_off(
            session, draft_id, SignOff("escalate", "Robin Officer", "Dean", note="To the board")
        )
    assert signed.decision == "escalate"


def test_before_the_office_saves_its_roles_the_defaults_are_not_imposed(db):
    with db.unit_of_work() as session:
        draft_id = _draft_at(session, "low")
        signed = workflow.sign_off(session, draft_id, SignOff("approve", "Robin Officer", "Intern"))
    assert signed.signed_off_role == "Intern"


def test_the_wizard_and_reports_name_the_offices_signers_once_saved(db, tmp_path):
    """Before: the questionnaire's wording. After the office saves its rules, the wizard's
    pages and the reports name the signers the sign-off enforces, not the shipped wording."""
    from rsdesk.services.reports.pdf import annual

    high = MODEL.level("high")
    with db.read() as session:
        assert responsibilities.sign_off_texts(session, MODEL)["high"] == high.sign_off
    with db.unit_of_work() as session:
        responsibilities.save_text(session, EDITED)
    with db.read() as session:
        texts = responsibilities.sign_off_texts(session, MODEL)
        data = annual.gather(session, 2026)
    assert texts["high"] == "Dean; Executive board; Sam Senior"
    assert texts["very_high"] == "Executive board"
    assert data.sign_off_by == texts


@pytest.mark.parametrize(
    ("department", "message"),
    [
        (
            "Department of Chemsitry",
            "Adviser 2 (line 12): there is no department 'Department of Chemsitry'; "
            "did you mean 'Department of Chemistry'?",
        ),
        ("History", "Adviser 2 (line 12): there is no department 'History'"),
    ],
)
def test_an_adviser_for_a_department_that_does_not_exist_is_refused(db, department, message):
    text = f"""[central_contact]
role = "Research-security officer"

[[adviser]]
department = "physics"
name = "Pat Adviser"

[[adviser]]
# the second adviser
name = "Kim Adviser"
email = "kim@example.org"
department = "{department}"
"""
    with db.unit_of_work() as session, pytest.raises(ValidationError) as refused:
        responsibilities.save_text(session, text)
    assert str(refused.value) == message
    assert refused.value.field == "department"
    with db.read() as session:
        assert responsibilities.load(session).source == "shipped"
    # The structured save (scripts) is held to the same rule.
    data = responsibilities.parse(tomllib.loads(text))
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="no department"):
        responsibilities.save(session, data)
    fixed = text.replace(department, "Department of Chemistry")
    with db.unit_of_work() as session:
        saved = responsibilities.save_text(session, fixed)
    assert [a.department for a in saved.advisers] == ["physics", "Department of Chemistry"]
