"""Reference tables loaded from resources/reference: EU critical technology areas, dual-use categories.

They are not audited: they come from shipped, versioned files and are re-synchronised on open.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Archivable, Audited, Base


class TechnologyArea(Base):
    __tablename__ = "technology_area"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str]
    most_sensitive: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)


class DualUseCategory(Base):
    __tablename__ = "dual_use_category"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str]


class Department(Audited, Archivable, Base):
    """An organisational unit; staff, collaborations and assets belong to one."""

    __tablename__ = "department"

    name: Mapped[str] = mapped_column(unique=True)
    code: Mapped[str | None] = mapped_column(String(32))
