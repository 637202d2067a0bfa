"""Mitigation measures agreed in an appraisal and tracked until done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Archivable, Audited, Base, enum_column
from rsdesk.models.enums import MeasureStatus


class MitigationMeasure(Audited, Archivable, Base):
    __tablename__ = "mitigation_measure"

    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id"), index=True)
    appraisal_id: Mapped[int | None] = mapped_column(ForeignKey("appraisal.id"), index=True)
    #: Code of the measure in the scoring model's catalogue, if it came from there.
    measure_code: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    due_date: Mapped[dt.date | None] = mapped_column(index=True)
    status: Mapped[MeasureStatus] = mapped_column(
        enum_column(MeasureStatus, "measure_status"), default=MeasureStatus.PLANNED, index=True
    )
    completed_on: Mapped[dt.date | None]
    evidence: Mapped[str | None] = mapped_column(Text)
