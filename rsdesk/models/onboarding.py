"""Onboarding checks created from rules when a staff member joins or changes role."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Audited, Base, enum_column
from rsdesk.models.enums import CheckStatus


class OnboardingCheck(Audited, Base):
    __tablename__ = "onboarding_check"
    __table_args__ = (UniqueConstraint("staff_id", "check_code"),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    check_code: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date | None] = mapped_column(index=True)
    status: Mapped[CheckStatus] = mapped_column(
        enum_column(CheckStatus, "check_status"), default=CheckStatus.OPEN, index=True
    )
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    completed_by: Mapped[str | None] = mapped_column(String(200))
    completed_on: Mapped[dt.date | None]
    evidence_note: Mapped[str | None] = mapped_column(Text)
