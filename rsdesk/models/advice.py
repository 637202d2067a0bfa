"""Advice requests: researchers ask the desk before they commit; the desk logs question and advice."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Audited, Base


class AdviceRequest(Audited, Base):
    __tablename__ = "advice_request"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= asked_on", name="dates_in_order"),
    )
    __personal_fields__: ClassVar[frozenset[str]] = frozenset({"requester_name"})

    asked_on: Mapped[dt.date] = mapped_column(index=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    collaboration_id: Mapped[int | None] = mapped_column(ForeignKey("collaboration.id"))
    advice: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None]
