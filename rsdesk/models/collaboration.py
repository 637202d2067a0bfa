"""International collaborations, their partners, technology areas and attached documents."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from rsdesk.models.base import Archivable, Audited, Base, enum_column
from rsdesk.models.enums import CollaborationKind, CollaborationStatus, RiskLevel

if TYPE_CHECKING:
    from rsdesk.models.partner import Partner


#: Columns the register sorts on. Each gets an index led by ``archived`` (the register hides
#: archived rows), so the first page of any sort is an index walk that stops after one page.
#: The default sort's index also holds the title: the quick filter (reference or title) then
#: reads the index alone, about twice as fast as looking up each row for a rare word.
REGISTER_SORT_COLUMNS = (
    ("reference", "title"),
    "title",
    "kind",
    "status",
    "risk_level",
    "start_date",
    "end_date",
    "next_review_date",
    "funding_amount_eur",
)


class Collaboration(Audited, Archivable, Base):
    __tablename__ = "collaboration"
    __table_args__ = (
        *(
            Index(f"ix_collaboration_register_{names[0]}", "archived", *names)
            for names in (n if isinstance(n, tuple) else (n,) for n in REGISTER_SORT_COLUMNS)
        ),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name="dates_in_order",
        ),
        CheckConstraint(
            "funding_amount_eur IS NULL OR funding_amount_eur >= 0", name="funding_not_negative"
        ),
    )

    #: Human reference such as ``C-2025-00042``; unique, shown everywhere.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(400), index=True)
    kind: Mapped[CollaborationKind] = mapped_column(
        enum_column(CollaborationKind, "collaboration_kind"), index=True
    )
    status: Mapped[CollaborationStatus] = mapped_column(
        enum_column(CollaborationStatus, "collaboration_status"),
        default=CollaborationStatus.PROPOSED,
        index=True,
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    lead_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    research_field: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    dual_use_code: Mapped[str | None] = mapped_column(ForeignKey("dual_use_category.code"))
    funding_amount_eur: Mapped[int | None]
    funding_source: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(index=True)
    end_date: Mapped[dt.date | None]
    next_review_date: Mapped[dt.date | None] = mapped_column(index=True)
    #: Level of the latest signed-off appraisal, kept here so registers filter and sort on it.
    risk_level: Mapped[RiskLevel | None] = mapped_column(
        enum_column(RiskLevel, "risk_level"), index=True
    )

    partner_links: Mapped[list[CollaborationPartner]] = relationship(
        back_populates="collaboration",
        cascade="all, delete-orphan",
        order_by="CollaborationPartner.id",
    )
    technology_links: Mapped[list[CollaborationTechnology]] = relationship(
        cascade="all, delete-orphan", order_by="CollaborationTechnology.area_code"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def partners(self) -> list[Partner]:
        return [link.partner for link in self.partner_links]

    @property
    def technology_area_codes(self) -> list[str]:
        return [link.area_code for link in self.technology_links]


class CollaborationPartner(Audited, Base):
    __tablename__ = "collaboration_partner"
    __table_args__ = (UniqueConstraint("collaboration_id", "partner_id"),)

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    #: e.g. "coordinator", "funder", "host"; free text.
    role: Mapped[str | None] = mapped_column(String(80))

    collaboration: Mapped[Collaboration] = relationship(back_populates="partner_links")
    partner: Mapped[Partner] = relationship(back_populates="collaboration_links")


class CollaborationTechnology(Audited, Base):
    __tablename__ = "collaboration_technology"
    __table_args__ = (UniqueConstraint("collaboration_id", "area_code"),)

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("technology_area.code"), index=True)


class Attachment(Audited, Base):
    """A document kept inside the database, with its SHA-256 so that evidence can be checked."""

    __tablename__ = "attachment"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_not_negative"),)

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    collaboration: Mapped[Collaboration] = relationship(back_populates="attachments")
