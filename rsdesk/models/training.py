"""Training courses (with refresh periods) and who completed them when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Archivable, Audited, Base


class TrainingCourse(Audited, Archivable, Base):
    __tablename__ = "training_course"
    __table_args__ = (
        CheckConstraint("refresh_months IS NULL OR refresh_months > 0", name="refresh_positive"),
    )

    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    #: None: never expires.
    refresh_months: Mapped[int | None]
    #: Who must take it, as a rule over role and research sensitivity (see resources/rules).
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    description: Mapped[str | None] = mapped_column(Text)


class TrainingRecord(Audited, Base):
    __tablename__ = "training_record"
    __table_args__ = (
        CheckConstraint(
            "expires_on IS NULL OR expires_on >= completed_on", name="expiry_after_completion"
        ),
    )

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    completed_on: Mapped[dt.date] = mapped_column(index=True)
    #: Derived from the course's refresh period when recorded.
    expires_on: Mapped[dt.date | None] = mapped_column(index=True)
    certificate_ref: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
