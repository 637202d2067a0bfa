"""Risk appraisals: one versioned record per wizard run, read-only once signed off."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Audited, Base, enum_column
from rsdesk.models.enums import AnsweredBy, AppraisalDecision, AppraisalStatus, RiskLevel


class Appraisal(Audited, Base):
    __tablename__ = "appraisal"
    __table_args__ = (
        UniqueConstraint("collaboration_id", "version"),
        # Covers the dashboard's sign-offs per quarter without reading the large JSON rows.
        Index("ix_appraisal_status_signed_off_at", "status", "signed_off_at"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "status <> 'signed_off' OR (decision IS NOT NULL AND signed_off_by IS NOT NULL "
            "AND signed_off_at IS NOT NULL)",
            name="signed_off_complete",
        ),
    )

    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id"), index=True)
    #: 1 for the first appraisal of a collaboration, then 2, 3... for re-appraisals.
    version: Mapped[int] = mapped_column(default=1)
    previous_appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisal.id"))
    status: Mapped[AppraisalStatus] = mapped_column(
        enum_column(AppraisalStatus, "appraisal_status"), default=AppraisalStatus.DRAFT, index=True
    )
    answered_by: Mapped[AnsweredBy] = mapped_column(
        enum_column(AnsweredBy, "answered_by"), default=AnsweredBy.OFFICER
    )
    model_id: Mapped[str] = mapped_column(String(80))
    model_version: Mapped[str] = mapped_column(String(40))
    #: {question_id: option_id}; a missing question is unanswered ("unknown").
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: {question_id: free-text justification}.
    justifications: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The scoring engine's result as JSON, frozen at sign-off so old appraisals never change.
    result: Mapped[dict[str, Any] | None]
    risk_level: Mapped[RiskLevel | None] = mapped_column(
        enum_column(RiskLevel, "risk_level"), index=True
    )
    score: Mapped[int | None]
    decision: Mapped[AppraisalDecision | None] = mapped_column(
        enum_column(AppraisalDecision, "appraisal_decision")
    )
    decision_note: Mapped[str | None] = mapped_column(Text)
    signed_off_by: Mapped[str | None] = mapped_column(String(200))
    signed_off_role: Mapped[str | None] = mapped_column(String(120))
    signed_off_at: Mapped[dt.datetime | None]
    next_review_date: Mapped[dt.date | None]
