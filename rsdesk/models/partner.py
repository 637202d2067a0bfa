"""Foreign partners and their other names (aliases, native-script names, abbreviations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsdesk.models.base import Archivable, Audited, Base, enum_column
from rsdesk.models.enums import PartnerKind, PartnerNameKind

if TYPE_CHECKING:
    from rsdesk.models.collaboration import CollaborationPartner


class Partner(Audited, Archivable, Base):
    __tablename__ = "partner"

    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind, "partner_kind"))
    #: ISO 3166-1 alpha-2. Statistics only: the scoring engine never reads it.
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)

    other_names: Mapped[list[PartnerName]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="PartnerName.id"
    )
    collaboration_links: Mapped[list[CollaborationPartner]] = relationship(back_populates="partner")


class PartnerName(Audited, Base):
    __tablename__ = "partner_name"
    __table_args__ = (UniqueConstraint("partner_id", "name"),)

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[PartnerNameKind] = mapped_column(
        enum_column(PartnerNameKind, "partner_name_kind"), default=PartnerNameKind.ALIAS
    )

    partner: Mapped[Partner] = relationship(back_populates="other_names")
