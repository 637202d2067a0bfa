"""The appraisal workflow: draft, pre-fill, save, sign off, re-appraise, history.

Every function takes a ``Session`` and never commits (the caller's unit of work does). Results are
frozen dataclasses, never live ORM objects.

A signed-off appraisal is read-only: every function refuses to change it (``ReadOnlyError``) and a
mapper guard refuses any ORM update or delete of one, whoever tries. Its result (scores, level,
factors, the questions and answers as they were worded) is frozen in ``Appraisal.result`` together
with the model version, so it shows the same result after the model changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from rsdesk.models import (
    Appraisal,
    AuditEntry,
    Collaboration,
    CollaborationAsset,
    CollaborationPartner,
    CollaborationTechnology,
    DualUseCategory,
    MitigationMeasure,
    Partner,
    ScreeningList,
    ScreeningResult,
    SensitiveAsset,
    StaffMember,
    TechnologyArea,
    utcnow,
)
from rsdesk.models.enums import (
    AnsweredBy,
    AppraisalDecision,
    AppraisalStatus,
    CollaborationKind,
    CollaborationStatus,
    MeasureStatus,
    PartnerKind,
    RiskLevel,
    ScreeningVerdict,
)
from rsdesk.services import responsibilities
from rsdesk.services.appraisal.model import (
    AppraisalModel,
    check_answers,
    check_justifications,
    load_model,
)
from rsdesk.services.appraisal.scoring import ScoreResult, score
from rsdesk.services.concurrency import claim_version
from rsdesk.services.errors import NotFoundError, ReadOnlyError, ValidationError
from rsdesk.services.registers.labels import enum_label
from rsdesk.services.wording import counted

# --- results handed to callers --------------------------------------------------------------


@dataclass(frozen=True)
class MeasureView:
    id: int
    code: str | None
    description: str
    owner_staff_id: int | None
    owner_name: str | None
    due_date: dt.date | None
    status: str


@dataclass(frozen=True)
class AppraisalView:
    #: None for a draft not saved yet (see :func:`new_draft`): nothing of it is in the database.
    id: int | None
    collaboration_id: int
    collaboration_reference: str
    collaboration_title: str
    version: int
    previous_appraisal_id: int | None
    status: str
    answered_by: str
    model_id: str
    model_version: str
    answers: dict[str, str]
    justifications: dict[str, str]
    result: ScoreResult | None
    risk_level: str | None
    score: int | None
    decision: str | None
    decision_note: str | None
    signed_off_by: str | None
    signed_off_role: str | None
    signed_off_at: dt.datetime | None
    next_review_date: dt.date | None
    created_at: dt.datetime
    measures: tuple[MeasureView, ...] = ()
    #: The version of the row this view was read from; a save names it (services/concurrency.py).
    row_version: int = 1
    #: What the sign-off did not do that the officer may expect, e.g. that a running
    #: collaboration kept its status; "" when there is nothing to say.
    notice: str = ""
    #: Who recorded the sign-off in rsdesk and when (its audit entry); set by get_appraisal.
    sign_off_recorded: SignOffEntry | None = None

    @property
    def read_only(self) -> bool:
        return self.status == AppraisalStatus.SIGNED_OFF

    @property
    def saved(self) -> bool:
        return self.id is not None


@dataclass(frozen=True)
class AppraisalSummary:
    """One line of a collaboration's appraisal history."""

    id: int
    version: int
    status: str
    risk_level: str | None
    score: int | None
    decision: str | None
    signed_off_by: str | None
    signed_off_at: dt.datetime | None
    next_review_date: dt.date | None
    model_version: str
    created_at: dt.datetime
    #: Who recorded the sign-off in rsdesk and when (its audit entry); None for a draft.
    sign_off_recorded: SignOffEntry | None = None


@dataclass(frozen=True)
class Prefill:
    """An answer suggested from what the register already knows, and why."""

    option: str
    note: str


@dataclass(frozen=True)
class AnswerChange:
    question: str
    question_text: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class MeasurePlan:
    """A measure chosen at sign-off; ``code`` from the catalogue or None for a custom one."""

    description: str = ""
    code: str | None = None
    owner_staff_id: int | None = None
    due_date: dt.date | None = None


@dataclass(frozen=True)
class SignOff:
    decision: AppraisalDecision | str
    signed_by: str
    role: str = ""
    signed_on: dt.date | None = None
    note: str = ""
    measures: tuple[MeasurePlan, ...] = field(default=())


# --- the read-only guard --------------------------------------------------------------------


def _status_before(target: Appraisal) -> Any:
    history = inspect(target).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None


@event.listens_for(Appraisal, "before_update")
def _refuse_update_when_signed(_mapper: Any, _connection: Any, target: Appraisal) -> None:
    if _status_before(target) == AppraisalStatus.SIGNED_OFF:
        raise ReadOnlyError(
            f"Appraisal {target.id} is signed off and read-only; start a re-appraisal instead"
        )


@event.listens_for(Appraisal, "before_delete")
def _refuse_delete_when_signed(_mapper: Any, _connection: Any, target: Appraisal) -> None:
    if _status_before(target) == AppraisalStatus.SIGNED_OFF:
        raise ReadOnlyError(f"Appraisal {target.id} is signed off and cannot be deleted")


# --- helpers --------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _get(session: Session, appraisal_id: int) -> Appraisal:
    appraisal = session.get(Appraisal, appraisal_id)
    if appraisal is None:
        raise NotFoundError(f"There is no appraisal with id {appraisal_id}")
    return appraisal


def _collaboration(session: Session, collaboration_id: int) -> Collaboration:
    collaboration = session.get(Collaboration, collaboration_id)
    if collaboration is None:
        raise NotFoundError(f"There is no collaboration with id {collaboration_id}")
    return collaboration


def _writable(appraisal: Appraisal) -> None:
    if appraisal.status == AppraisalStatus.SIGNED_OFF:
        raise ReadOnlyError(
            f"Appraisal {appraisal.id} (version {appraisal.version}) is signed off and read-only; "
            "start a re-appraisal to change it"
        )


def _measures(session: Session, appraisal_id: int) -> tuple[MeasureView, ...]:
    rows = session.execute(
        select(MitigationMeasure, StaffMember.full_name)
        .outerjoin(StaffMember, StaffMember.id == MitigationMeasure.owner_staff_id)
        .where(MitigationMeasure.appraisal_id == appraisal_id)
        .order_by(MitigationMeasure.id)
    ).all()
    return tuple(
        MeasureView(
            id=measure.id,
            code=measure.measure_code,
            description=measure.description,
            owner_staff_id=measure.owner_staff_id,
            owner_name=owner,
            due_date=measure.due_date,
            status=measure.status.value,
        )
        for measure, owner in rows
    )


def _view(session: Session, appraisal: Appraisal) -> AppraisalView:
    collaboration = _collaboration(session, appraisal.collaboration_id)
    return AppraisalView(
        id=appraisal.id,
        collaboration_id=collaboration.id,
        collaboration_reference=collaboration.reference,
        collaboration_title=collaboration.title,
        version=appraisal.version,
        previous_appraisal_id=appraisal.previous_appraisal_id,
        status=appraisal.status.value,
        answered_by=appraisal.answered_by.value,
        model_id=appraisal.model_id,
        model_version=appraisal.model_version,
        answers=dict(appraisal.answers or {}),
        justifications=dict(appraisal.justifications or {}),
        result=ScoreResult.from_dict(appraisal.result) if appraisal.result else None,
        risk_level=appraisal.risk_level.value if appraisal.risk_level else None,
        score=appraisal.score,
        decision=appraisal.decision.value if appraisal.decision else None,
        decision_note=appraisal.decision_note,
        signed_off_by=appraisal.signed_off_by,
        signed_off_role=appraisal.signed_off_role,
        signed_off_at=appraisal.signed_off_at,
        next_review_date=appraisal.next_review_date,
        created_at=appraisal.created_at,
        measures=_measures(session, appraisal.id),
        row_version=appraisal.row_version,
    )


def _apply_result(appraisal: Appraisal, model: AppraisalModel, result: ScoreResult) -> None:
    appraisal.model_id = model.id
    appraisal.model_version = model.version
    appraisal.result = result.to_dict()
    appraisal.risk_level = result.risk_level
    appraisal.score = result.total


# --- pre-filling ----------------------------------------------------------------------------

_FORM_BY_KIND = {
    CollaborationKind.FRAMEWORK_AGREEMENT: "framework",
    CollaborationKind.EXCHANGE: "exchange",
    CollaborationKind.JOINT_DEGREE: "exchange",
    CollaborationKind.JOINT_RESEARCH: "joint_research",
    CollaborationKind.FUNDING_RECEIVED: "funding",
    CollaborationKind.FUNDING_APPLICATION: "funding",
    CollaborationKind.VISITING_RESEARCHER: "visiting",
    CollaborationKind.CONTRACT_RESEARCH: "contract_research",
    CollaborationKind.DATA_SHARING: "data_or_facility",
    CollaborationKind.FACILITY_ACCESS: "data_or_facility",
}

#: Asset sensitivity levels below "sensitive"; anything else counts as a sensitive asset.
_ORDINARY_SENSITIVITY = {"public", "internal", "open", "low"}


def prefill_answers(
    session: Session, collaboration_id: int, model: AppraisalModel | None = None
) -> dict[str, Prefill]:
    """Answers the register already implies for this collaboration, each with its reason.

    Reads the collaboration's kind, technology areas, dual-use category and funding, its partners'
    kinds, the screening verdicts on its partners and the assets it gives partners access to.
    Never a country. Only suggestions for questions the model has and options it offers.
    """
    model = model or load_model(session=session)
    collaboration = _collaboration(session, collaboration_id)
    found: dict[str, Prefill] = {}

    def suggest(question_id: str, option_id: str, note: str) -> None:
        if model.has_question(question_id) and model.question(question_id).has_option(option_id):
            found[question_id] = Prefill(option_id, note)

    areas = session.execute(
        select(TechnologyArea.name, TechnologyArea.most_sensitive)
        .join(CollaborationTechnology, CollaborationTechnology.area_code == TechnologyArea.code)
        .where(CollaborationTechnology.collaboration_id == collaboration.id)
        .order_by(TechnologyArea.sort_order)
    ).all()
    if areas:
        names = ", ".join(name for name, _ in areas)
        most = any(sensitive for _, sensitive in areas)
        suggest(
            "research_critical_technology",
            "most_sensitive" if most else "other_area",
            f"Technology areas recorded for the collaboration: {names}",
        )

    if collaboration.dual_use_code:
        category = session.get(DualUseCategory, collaboration.dual_use_code)
        label = (
            f"{collaboration.dual_use_code} {category.name}"
            if category
            else collaboration.dual_use_code
        )
        suggest("research_dual_use", "listed", f"Dual-use category recorded: {label}")

    form = _FORM_BY_KIND.get(collaboration.kind)
    if form:
        suggest("form_kind", form, f"Kind recorded: {enum_label(collaboration.kind)}")

    if (
        collaboration.kind == CollaborationKind.FUNDING_RECEIVED
        and collaboration.funding_amount_eur
    ):
        amount = collaboration.funding_amount_eur
        source = f" from {collaboration.funding_source}" if collaboration.funding_source else ""
        suggest(
            "form_funding",
            "substantial" if amount >= 250_000 else "minor",
            f"Funding received recorded: {amount:,} EUR{source}",
        )

    partners = session.execute(
        select(Partner.id, Partner.name, Partner.kind)
        .join(CollaborationPartner, CollaborationPartner.partner_id == Partner.id)
        .where(CollaborationPartner.collaboration_id == collaboration.id)
        .order_by(Partner.name)
    ).all()
    if partners and model.has_question("partner_kind"):
        question = model.question("partner_kind")
        kinds = [kind for _, _, kind in partners if question.has_option(kind.value)]
        if kinds:
            heaviest = max(
                kinds, key=lambda k: (question.option(k.value).weight, list(PartnerKind).index(k))
            )
            listing = "; ".join(
                f"{name} ({kind.value.replace('_', ' ')})" for _, name, kind in partners
            )
            suggest("partner_kind", heaviest.value, f"Partners: {listing}")

    if partners:
        partner_ids = [pid for pid, _, _ in partners]
        # Current list versions only: a replaced version's results were carried over to the
        # new one, and counting both named a confirmed match twice.
        verdicts = session.execute(
            select(Partner.name, ScreeningResult.verdict, ScreeningResult.entry_name)
            .join(Partner, Partner.id == ScreeningResult.partner_id)
            .join(ScreeningList, ScreeningList.id == ScreeningResult.list_id)
            .where(
                ScreeningList.active.is_(True),
                ScreeningResult.partner_id.in_(partner_ids),
                ScreeningResult.verdict.in_(
                    [ScreeningVerdict.TRUE_MATCH, ScreeningVerdict.PENDING]
                ),
            )
            .order_by(Partner.name, ScreeningResult.id)
        ).all()
        confirmed = [(p, e) for p, v, e in verdicts if v == ScreeningVerdict.TRUE_MATCH]
        pending = [(p, e) for p, v, e in verdicts if v == ScreeningVerdict.PENDING]
        active_lists = session.scalar(
            select(func.count()).select_from(ScreeningList).where(ScreeningList.active.is_(True))
        )
        awaiting = "Screening match awaiting a verdict: " + "; ".join(
            f"{p} ~ {e}" for p, e in pending
        )
        if confirmed:
            # Pending hits are named too: the officer should decide them before signing off.
            suggest(
                "partner_listed",
                "listed",
                "Confirmed screening match: "
                + "; ".join(f"{p} = {e}" for p, e in confirmed)
                + (f". {awaiting}" if pending else ""),
            )
        elif pending:
            suggest("partner_listed", "possible_match", awaiting)
        elif active_lists:
            suggest(
                "partner_listed",
                "not_listed",
                f"No confirmed or pending match against {active_lists} active screening list(s)",
            )

    assets = session.execute(
        select(SensitiveAsset.name, SensitiveAsset.sensitivity_level)
        .join(CollaborationAsset, CollaborationAsset.asset_id == SensitiveAsset.id)
        .where(
            CollaborationAsset.collaboration_id == collaboration.id,
            CollaborationAsset.partner_access.is_(True),
        )
        .order_by(SensitiveAsset.name)
    ).all()
    if assets:
        from rsdesk.services.assets import level_choices

        level_names = dict(level_choices(session))
        sensitive = any(level not in _ORDINARY_SENSITIVITY for _, level in assets)
        suggest(
            "form_access",
            "sensitive" if sensitive else "lab",
            "Partner access to assets: "
            + "; ".join(f"{n} ({level_names.get(lvl, lvl).lower()})" for n, lvl in assets),
        )
    return found


# --- the workflow ---------------------------------------------------------------------------


def get_appraisal(session: Session, appraisal_id: int) -> AppraisalView:
    view = _view(session, _get(session, appraisal_id))
    if view.read_only:
        view = replace(view, sign_off_recorded=sign_off_entry(session, appraisal_id))
    return view


@dataclass(frozen=True)
class SignOffEntry:
    """Who recorded a sign-off in rsdesk and when (UTC), from its audit entry: the signed-off
    date may be an earlier decision's, typed by someone else."""

    entry_id: int
    recorded_by: str
    recorded_at: dt.datetime

    @property
    def text(self) -> str:
        """The sentence the appraisal record and the wizard print under the sign-off."""
        return (
            f"Recorded in rsdesk by {self.recorded_by} on {self.recorded_at:%d %B %Y} at "
            f"{self.recorded_at:%H:%M} UTC (audit entry {self.entry_id})."
        )


def sign_off_entry(session: Session, appraisal_id: int) -> SignOffEntry | None:
    """The audit entry that set the appraisal's status to signed off, if it has one."""
    entries = session.execute(
        select(AuditEntry.id, AuditEntry.actor, AuditEntry.at, AuditEntry.changes)
        .where(
            AuditEntry.table_name == Appraisal.__tablename__,
            AuditEntry.record_id == appraisal_id,
        )
        .order_by(AuditEntry.id)
    )
    for entry_id, actor, at, changes in entries:
        status = changes.get("status") if isinstance(changes, dict) else None
        if isinstance(status, list) and status[1:2] == [AppraisalStatus.SIGNED_OFF.value]:
            return SignOffEntry(entry_id, actor, at)
    return None


def current_draft(session: Session, collaboration_id: int) -> AppraisalView | None:
    """The open draft of a collaboration, if there is one (to resume it)."""
    draft = session.scalar(
        select(Appraisal).where(
            Appraisal.collaboration_id == collaboration_id,
            Appraisal.status == AppraisalStatus.DRAFT,
        )
    )
    return _view(session, draft) if draft else None


def _latest(session: Session, collaboration_id: int) -> Appraisal | None:
    return session.scalar(
        select(Appraisal)
        .where(Appraisal.collaboration_id == collaboration_id)
        .order_by(Appraisal.version.desc())
        .limit(1)
    )


def _starting_answers(
    session: Session, collaboration_id: int, previous: Appraisal | None, model: AppraisalModel
) -> tuple[dict[str, str], dict[str, str]]:
    """The answers and justifications a new draft starts from (see :func:`create_draft`)."""
    answers: dict[str, str] = {}
    justifications: dict[str, str] = {}
    if previous is not None:
        # Keep only what the current model still knows.
        for question_id, option_id in (previous.answers or {}).items():
            if model.has_question(question_id) and model.question(question_id).has_option(
                option_id
            ):
                answers[question_id] = option_id
        justifications = {
            q: text for q, text in (previous.justifications or {}).items() if model.has_question(q)
        }
    for question_id, prefill in prefill_answers(session, collaboration_id, model).items():
        # A re-appraisal keeps the officer's earlier judgement unless the register now shows
        # more risk (a new screening match, new access to assets...).
        question = model.question(question_id)
        earlier = answers.get(question_id)
        if earlier is None or (
            question.option(prefill.option).weight > question.option(earlier).weight
        ):
            answers[question_id] = prefill.option
    return answers, justifications


def _refuse_second_draft(session: Session, collaboration: Collaboration) -> None:
    if current_draft(session, collaboration.id) is not None:
        raise ValidationError(
            f"{collaboration.reference} already has a draft appraisal; resume or discard it first"
        )


def new_draft(
    session: Session, collaboration_id: int, *, model: AppraisalModel | None = None
) -> AppraisalView:
    """The draft :func:`create_draft` would start, scored but not saved: writes nothing.

    The wizard opens on this and creates the record only when the officer saves or signs off,
    so that looking at a collaboration's appraisal leaves no trace (``id`` is None).
    """
    model = model or load_model(session=session)
    collaboration = _collaboration(session, collaboration_id)
    _refuse_second_draft(session, collaboration)
    previous = _latest(session, collaboration_id)
    answers, justifications = _starting_answers(session, collaboration_id, previous, model)
    result = score(model, answers, justifications)
    return AppraisalView(
        id=None,
        collaboration_id=collaboration.id,
        collaboration_reference=collaboration.reference,
        collaboration_title=collaboration.title,
        version=(previous.version + 1) if previous else 1,
        previous_appraisal_id=previous.id if previous else None,
        status=AppraisalStatus.DRAFT.value,
        answered_by=AnsweredBy.OFFICER.value,
        model_id=model.id,
        model_version=model.version,
        answers=answers,
        justifications=justifications,
        result=result,
        risk_level=result.level,
        score=result.total,
        decision=None,
        decision_note=None,
        signed_off_by=None,
        signed_off_role=None,
        signed_off_at=None,
        next_review_date=None,
        created_at=utcnow(),
    )


#: Statuses of a collaboration still being decided: only these move with an appraisal.
PROPOSAL_STAGES = frozenset({CollaborationStatus.PROPOSED, CollaborationStatus.UNDER_APPRAISAL})


def create_draft(
    session: Session,
    collaboration_id: int,
    *,
    model: AppraisalModel | None = None,
    answered_by: AnsweredBy = AnsweredBy.OFFICER,
    answers: dict[str, Any] | None = None,
    justifications: dict[str, Any] | None = None,
) -> AppraisalView:
    """Start an appraisal of a collaboration and store it.

    The first appraisal starts from the pre-filled answers. If the collaboration was appraised
    before, this is a re-appraisal: version n+1, starting from a copy of the previous answers and
    justifications, with facts from the register (screening, assets...) brought up to date.
    ``answers``/``justifications`` given (the wizard's first save) replace that starting point.
    A proposed collaboration becomes "under appraisal"; any other status is left alone.
    Refuses if a draft is already open (resume that one).
    """
    model = model or load_model(session=session)
    collaboration = _collaboration(session, collaboration_id)
    _refuse_second_draft(session, collaboration)
    previous = _latest(session, collaboration_id)
    if answers is None:
        start_answers, start_notes = _starting_answers(session, collaboration_id, previous, model)
    else:
        start_answers = check_answers(model, answers)
        start_notes = check_justifications(model, justifications or {})

    appraisal = Appraisal(
        collaboration_id=collaboration_id,
        version=(previous.version + 1) if previous else 1,
        previous_appraisal_id=previous.id if previous else None,
        status=AppraisalStatus.DRAFT,
        answered_by=answered_by,
        answers=start_answers,
        justifications=start_notes,
    )
    _apply_result(appraisal, model, score(model, start_answers, start_notes))
    session.add(appraisal)
    if collaboration.status == CollaborationStatus.PROPOSED:
        collaboration.status = CollaborationStatus.UNDER_APPRAISAL
        _status_changed(session, collaboration)
    session.flush()
    return _view(session, appraisal)


def _status_changed(session: Session, collaboration: Collaboration) -> None:
    """An editor open on the collaboration would put the old level, review date and status back
    on its next save: raising the version makes that save refused and say why (the editor that
    started the appraisal takes the new values in instead)."""
    session.flush()
    claim_version(session, Collaboration, collaboration.id, None, "collaboration")


def reappraise(
    session: Session, collaboration_id: int, *, model: AppraisalModel | None = None
) -> AppraisalView:
    """A new version after a signed-off appraisal (see :func:`create_draft`)."""
    latest = session.scalar(
        select(Appraisal)
        .where(Appraisal.collaboration_id == collaboration_id)
        .order_by(Appraisal.version.desc())
        .limit(1)
    )
    if latest is None or latest.status != AppraisalStatus.SIGNED_OFF:
        raise ValidationError(
            "A re-appraisal needs a signed-off appraisal to start from; this collaboration has none"
        )
    return create_draft(session, collaboration_id, model=model)


def save_draft(
    session: Session,
    appraisal_id: int,
    answers: dict[str, Any],
    justifications: dict[str, Any] | None = None,
    *,
    model: AppraisalModel | None = None,
    seen_version: int | None = None,
) -> AppraisalView:
    """Store the draft's answers and justifications (all of them, replacing) and re-score.

    ``seen_version`` is the ``row_version`` the caller loaded: a draft saved since (another
    window, another officer on a shared server) is refused with ConflictError instead of being
    overwritten, as the register editors do (services/concurrency.py).
    """
    appraisal = _get(session, appraisal_id)
    _writable(appraisal)
    model = model or load_model(session=session)
    clean_answers = check_answers(model, answers)
    clean_justifications = check_justifications(model, justifications or {})
    claim_version(session, Appraisal, appraisal_id, seen_version, "draft appraisal")
    appraisal.answers = clean_answers
    appraisal.justifications = clean_justifications
    _apply_result(appraisal, model, score(model, clean_answers, clean_justifications))
    session.flush()
    return _view(session, appraisal)


def _status_set_by(session: Session, appraisal: Appraisal) -> bool:
    """True if the collaboration is "under appraisal" because this draft was started.

    The audit log tells. Starting the draft wrote the draft's insert entry and, in the same
    flush, the collaboration's change from proposed to under appraisal right next to it. A later
    status change (the officer's) decides instead, and a status set before the draft (an
    escalation) has no entry next to the insert: both stay.
    """
    inserted = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.table_name == Appraisal.__tablename__,
            AuditEntry.record_id == appraisal.id,
            AuditEntry.action == "insert",
        )
    )
    if inserted is None:
        return False
    entries = session.execute(
        select(AuditEntry.changes)
        .where(
            AuditEntry.table_name == Collaboration.__tablename__,
            AuditEntry.record_id == appraisal.collaboration_id,
            AuditEntry.action == "update",
            AuditEntry.id >= inserted - 1,
        )
        .order_by(AuditEntry.id.desc())
    ).scalars()
    for changes in entries:
        if "status" in (changes or {}):
            return list(changes["status"]) == [
                CollaborationStatus.PROPOSED.value,
                CollaborationStatus.UNDER_APPRAISAL.value,
            ]
    return False


def discard_draft(session: Session, appraisal_id: int, *, seen_version: int | None = None) -> str:
    """Delete a draft and undo what starting it changed; returns one line saying what was done.

    A proposed collaboration that the draft moved to "under appraisal" goes back to proposed.
    Both the deletion and the status change are in the audit log. ``seen_version`` as for
    :func:`save_draft`: a draft someone saved since it was loaded is not thrown away unseen.
    """
    appraisal = _get(session, appraisal_id)
    _writable(appraisal)
    collaboration = _collaboration(session, appraisal.collaboration_id)
    if seen_version is not None:
        claim_version(session, Appraisal, appraisal_id, seen_version, "draft appraisal")
    restore = collaboration.status == CollaborationStatus.UNDER_APPRAISAL and _status_set_by(
        session, appraisal
    )
    version = appraisal.version
    session.delete(appraisal)
    message = f"Discarded the draft appraisal of {collaboration.reference} (version {version})"
    if restore:
        collaboration.status = CollaborationStatus.PROPOSED
        _status_changed(session, collaboration)
        message += "; the collaboration is proposed again"
    session.flush()
    return message


#: Levels at which plain approval is refused: the level's consequence is "proceed only with
#: conditions" (High) or the committee's decision (Very high), so agreed measures are required.
CONDITIONS_REQUIRED = frozenset({RiskLevel.HIGH.value, RiskLevel.VERY_HIGH.value})

#: A collaboration in its proposal stages takes the status that follows from the decision.
_STATUS_BY_DECISION = {
    AppraisalDecision.APPROVE: CollaborationStatus.APPROVED,
    AppraisalDecision.APPROVE_WITH_CONDITIONS: CollaborationStatus.APPROVED_WITH_CONDITIONS,
    AppraisalDecision.REJECT: CollaborationStatus.REJECTED,
    AppraisalDecision.ESCALATE: CollaborationStatus.UNDER_APPRAISAL,
}


def sign_off(
    session: Session,
    appraisal_id: int,
    decision: SignOff,
    *,
    model: AppraisalModel | None = None,
) -> AppraisalView:
    """Record the decision, freeze the result, create the measures and update the collaboration.

    The result is scored once more with the current model and frozen with its version. The next
    review date follows from the level. Chosen measures become tracked MitigationMeasure rows.
    """
    appraisal = _get(session, appraisal_id)
    _writable(appraisal)
    model = model or load_model(session=session)
    try:
        choice = AppraisalDecision(decision.decision)
    except ValueError:
        known = ", ".join(d.value for d in AppraisalDecision)
        raise ValidationError(
            f"Unknown decision {decision.decision!r}; use one of {known}", field="decision"
        ) from None
    signer = decision.signed_by.strip()
    if not signer:
        raise ValidationError("Enter the name of the person who signs off", field="signed_by")
    # Dates as the user's calendar has them, like the wizard's date field (not UTC's date).
    today = local_date(utcnow())
    signed_on = decision.signed_on or today
    if signed_on > today:
        raise ValidationError("The sign-off date cannot be in the future", field="signed_on")
    collaboration = _collaboration(session, appraisal.collaboration_id)
    earliest = earliest_sign_off(appraisal.created_at, collaboration.created_at)
    if signed_on < earliest:
        raise ValidationError(
            f"The sign-off date cannot be before {earliest.isoformat()}, when "
            + (
                "this draft was started"
                if earliest == local_date(appraisal.created_at)
                else "the collaboration was recorded"
            ),
            field="signed_on",
        )

    answers = check_answers(model, appraisal.answers or {})
    justifications = check_justifications(model, appraisal.justifications or {})
    result = score(model, answers, justifications)
    if result.justifications_missing:
        first = model.question(result.justifications_missing[0])
        raise ValidationError(
            f"Justify the answer to \u201c{first.text}\u201d before signing off "
            f"({counted(len(result.justifications_missing), 'justification')} missing)",
            field=first.id,
        )
    # Who may sign off at this level: settings data (services/responsibilities.py, #12).
    # Escalating hands the decision to those with the authority, so any officer may escalate.
    if choice != AppraisalDecision.ESCALATE:
        responsibilities.check_signer(session, result.level, signer, decision.role)
    if choice == AppraisalDecision.APPROVE and result.level in CONDITIONS_REQUIRED:
        raise ValidationError(
            f"{model.level(result.level).name} risk cannot be approved without conditions: "
            "approve with conditions (tick the measures agreed), escalate or reject",
            field="decision",
        )
    if choice == AppraisalDecision.APPROVE_WITH_CONDITIONS and not decision.measures:
        raise ValidationError(
            "Approval with conditions needs at least one mitigation measure", field="measures"
        )
    if (
        choice in (AppraisalDecision.REJECT, AppraisalDecision.ESCALATE)
        and not decision.note.strip()
    ):
        raise ValidationError(
            f"Give the reason to {'reject' if choice == AppraisalDecision.REJECT else 'escalate'}",
            field="note",
        )

    rows = []
    for number, plan in enumerate(decision.measures, start=1):
        text = plan.description.strip()
        if plan.code is not None:
            try:
                catalogued = model.measure(plan.code)
            except KeyError:
                raise ValidationError(
                    f"Measure {number}: {plan.code!r} is not in the model's catalogue",
                    field="measures",
                ) from None
            text = text or catalogued.text
        if not text:
            raise ValidationError(f"Measure {number}: describe what will be done", field="measures")
        if (
            plan.owner_staff_id is not None
            and session.get(StaffMember, plan.owner_staff_id) is None
        ):
            raise ValidationError(f"Measure {number}: the owner does not exist", field="measures")
        if plan.due_date is not None and plan.due_date < signed_on:
            raise ValidationError(
                f"Measure {number}: the due date is before the sign-off date", field="measures"
            )
        if (
            choice == AppraisalDecision.APPROVE_WITH_CONDITIONS
            and result.level in CONDITIONS_REQUIRED
            and (plan.owner_staff_id is None or plan.due_date is None)
        ):
            # The level's consequence: "agreed measures with owners and due dates".
            raise ValidationError(
                f"Measure {number}: at {model.level(result.level).name} risk each agreed measure "
                "needs an owner (a staff member) and a due date",
                field="measures",
            )
        rows.append(
            MitigationMeasure(
                collaboration_id=appraisal.collaboration_id,
                measure_code=plan.code,
                description=text,
                owner_staff_id=plan.owner_staff_id,
                due_date=plan.due_date,
                status=MeasureStatus.PLANNED,
            )
        )

    level = model.level(result.level)
    review = add_months(signed_on, level.review_months)
    # A decision moves only a collaboration still being decided; a running one keeps its status
    # (and, if rejected on review, its review date, so it is looked at again).
    decides_status = collaboration.status in PROPOSAL_STAGES
    now = utcnow()
    appraisal.answers = answers
    appraisal.justifications = justifications
    _apply_result(appraisal, model, result)
    appraisal.decision = choice
    appraisal.decision_note = decision.note.strip() or None
    appraisal.signed_off_by = signer
    appraisal.signed_off_role = decision.role.strip() or None
    # A decision taken earlier (a committee meeting) has a date but no known time of day: it is
    # stored at midnight; who recorded it in rsdesk, and when, is in its audit entry.
    appraisal.signed_off_at = dt.datetime.combine(
        signed_on, now.time() if signed_on == today else dt.time()
    )
    appraisal.next_review_date = (
        None if choice == AppraisalDecision.REJECT and decides_status else review
    )
    appraisal.status = AppraisalStatus.SIGNED_OFF
    session.flush()
    for row in rows:
        row.appraisal_id = appraisal.id
        session.add(row)

    notice = ""
    if decides_status:
        collaboration.status = _STATUS_BY_DECISION[choice]
    elif choice == AppraisalDecision.REJECT:
        notice = (
            f"{collaboration.reference} stays {enum_label(collaboration.status).lower()}: a "
            "rejection does not end a collaboration; change its status in the collaboration "
            "if it must stop"
        )
    elif choice == AppraisalDecision.ESCALATE:
        notice = (
            f"{collaboration.reference} stays {enum_label(collaboration.status).lower()} "
            "while the committee decides"
        )
    collaboration.risk_level = RiskLevel(result.level)
    collaboration.next_review_date = appraisal.next_review_date
    # The level and review date as well as the status: see _status_changed.
    _status_changed(session, collaboration)
    session.flush()
    return replace(_view(session, appraisal), notice=notice)


def local_date(moment: dt.datetime) -> dt.date:
    """The user's calendar date of a stored (naive UTC) moment, as the sign-off date is entered."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def earliest_sign_off(
    draft_created_at: dt.datetime, collaboration_created_at: dt.datetime | None = None
) -> dt.date:
    """A draft cannot be signed off before it was started, nor before its collaboration existed.

    Otherwise an appraisal done today could be dated into an earlier year's annual report.
    """
    days = [local_date(draft_created_at)]
    if collaboration_created_at is not None:
        days.append(local_date(collaboration_created_at))
    return max(days)


def history(session: Session, collaboration_id: int) -> list[AppraisalSummary]:
    """The collaboration's appraisals, newest version first."""
    _collaboration(session, collaboration_id)
    rows = session.scalars(
        select(Appraisal)
        .where(Appraisal.collaboration_id == collaboration_id)
        .order_by(Appraisal.version.desc())
    ).all()
    return [
        AppraisalSummary(
            id=row.id,
            version=row.version,
            status=row.status.value,
            risk_level=row.risk_level.value if row.risk_level else None,
            score=row.score,
            decision=row.decision.value if row.decision else None,
            signed_off_by=row.signed_off_by,
            signed_off_at=row.signed_off_at,
            next_review_date=row.next_review_date,
            model_version=row.model_version,
            created_at=row.created_at,
            sign_off_recorded=(
                sign_off_entry(session, row.id)
                if row.status == AppraisalStatus.SIGNED_OFF
                else None
            ),
        )
        for row in rows
    ]


def changed_answers(session: Session, appraisal_id: int) -> list[AnswerChange]:
    """What this appraisal answers differently from the version before it (empty for version 1)."""
    return changes_since_previous(session, get_appraisal(session, appraisal_id))


def changes_since_previous(session: Session, appraisal: AppraisalView) -> list[AnswerChange]:
    """:func:`changed_answers` of a view, which may be a draft not saved yet."""
    if appraisal.previous_appraisal_id is None:
        return []
    previous = _get(session, appraisal.previous_appraisal_id)
    before = previous.answers or {}
    after = appraisal.answers or {}
    texts: dict[str, str] = {}
    current = appraisal.result.to_dict() if appraisal.result else None
    for source in (previous.result, current):
        for record in (source or {}).get("answers", ()):
            texts[record["question"]] = record["question_text"]
    changes = []
    for question_id in sorted(set(before) | set(after)):
        if before.get(question_id) != after.get(question_id):
            changes.append(
                AnswerChange(
                    question=question_id,
                    question_text=texts.get(question_id, question_id),
                    before=before.get(question_id),
                    after=after.get(question_id),
                )
            )
    return changes


def staff_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of current staff, for measure owners."""
    return [
        (row.id, row.full_name)
        for row in session.execute(
            select(StaffMember.id, StaffMember.full_name)
            .where(StaffMember.archived.is_(False), StaffMember.anonymised_at.is_(None))
            .order_by(StaffMember.full_name)
        )
    ]


def latest_appraisal_id(session: Session) -> int | None:
    """The newest draft appraisal, else the newest of any status (None when there is none)."""
    newest = select(Appraisal.id).order_by(Appraisal.id.desc()).limit(1)
    draft = session.scalar(newest.where(Appraisal.status == AppraisalStatus.DRAFT))
    return draft if draft is not None else session.scalar(newest)
