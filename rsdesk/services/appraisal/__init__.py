"""Risk appraisal: the versioned model (question bank + scoring rules), the pure scoring engine,
and the workflow from draft to sign-off. No Qt here.

Public API::

    model = load_model()                      # or load_model(session=s) for the institution's copy
    result = score(model, {"partner_listed": "listed"})   # ScoreResult, .to_json()/.from_json()
    workflow.create_draft(session, collaboration_id) ... workflow.sign_off(session, id, SignOff(...))
"""

from rsdesk.services.appraisal import workflow
from rsdesk.services.appraisal.model import (
    SETTING_KEY,
    AppraisalModel,
    ModelError,
    check_answers,
    check_justifications,
    default_model,
    install_institution_model,
    institution_model_installed,
    load_model,
    parse_model,
    parse_model_text,
    reset_institution_model,
)
from rsdesk.services.appraisal.scoring import ScoreResult, score

__all__ = [
    "SETTING_KEY",
    "AppraisalModel",
    "ModelError",
    "ScoreResult",
    "check_answers",
    "check_justifications",
    "default_model",
    "install_institution_model",
    "institution_model_installed",
    "load_model",
    "parse_model",
    "parse_model_text",
    "reset_institution_model",
    "score",
    "workflow",
]
