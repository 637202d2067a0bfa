"""Staff members.

Deliberately holds nothing about who a person is beyond what the checks need: no nationality,
citizenship, ethnicity or religion. Which checks apply follows from role and research sensitivity.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Archivable, Audited, Base, enum_column
from rsdesk.models.enums import RoleCategory


class StaffMember(Audited, Archivable, Base):
    __tablename__ = "staff_member"
    __table_args__ = (
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="dates_in_order",
        ),
    )
    __personal_fields__: ClassVar[frozenset[str]] = frozenset(
        {"staff_number", "full_name", "email"}
    )

    staff_number: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    role_category: Mapped[RoleCategory] = mapped_column(
        enum_column(RoleCategory, "role_category"), index=True
    )
    research_area: Mapped[str | None] = mapped_column(String(200))
    #: Research sensitivity, which decides the checks: critical technology area, dual-use, facilities.
    technology_area_code: Mapped[str | None] = mapped_column(ForeignKey("technology_area.code"))
    dual_use_code: Mapped[str | None] = mapped_column(ForeignKey("dual_use_category.code"))
    sensitive_facility_access: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None] = mapped_column(index=True)
    #: Set when the identity was removed after the retention period.
    anonymised_at: Mapped[dt.datetime | None]
