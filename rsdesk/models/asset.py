"""Sensitive assets (labs, equipment, data, software, know-how), safeguards and access grants."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rsdesk.models.base import Archivable, Audited, Base, enum_column
from rsdesk.models.enums import AssetKind, SafeguardStatus


class SensitiveAsset(Audited, Archivable, Base):
    __tablename__ = "sensitive_asset"

    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[AssetKind] = mapped_column(enum_column(AssetKind, "asset_kind"), index=True)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    #: Code of a sensitivity level from resources/rules/sensitivity_levels.toml.
    sensitivity_level: Mapped[str] = mapped_column(String(40), index=True)
    dual_use_code: Mapped[str | None] = mapped_column(ForeignKey("dual_use_category.code"))
    export_licence_possible: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)


class AssetTechnology(Audited, Base):
    __tablename__ = "asset_technology"
    __table_args__ = (UniqueConstraint("asset_id", "area_code"),)

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("sensitive_asset.id", ondelete="CASCADE"), index=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("technology_area.code"))


class AssetSafeguard(Audited, Base):
    __tablename__ = "asset_safeguard"
    __table_args__ = (
        UniqueConstraint("asset_id", "safeguard_code"),
        CheckConstraint(
            "verification_months IS NULL OR verification_months > 0", name="verification_positive"
        ),
    )

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("sensitive_asset.id", ondelete="CASCADE"), index=True
    )
    safeguard_code: Mapped[str] = mapped_column(String(80))
    status: Mapped[SafeguardStatus] = mapped_column(
        enum_column(SafeguardStatus, "safeguard_status"), default=SafeguardStatus.PLANNED
    )
    last_verified_on: Mapped[dt.date | None]
    verification_months: Mapped[int | None]
    evidence: Mapped[str | None] = mapped_column(Text)


class AccessGrant(Audited, Base):
    __tablename__ = "access_grant"
    __table_args__ = (CheckConstraint("until IS NULL OR until >= since", name="dates_in_order"),)

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("sensitive_asset.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    since: Mapped[dt.date]
    until: Mapped[dt.date | None]
    reason: Mapped[str] = mapped_column(Text)


class CollaborationAsset(Audited, Base):
    """A collaboration touches an asset; ``partner_access`` if the partner gets access to it."""

    __tablename__ = "collaboration_asset"
    __table_args__ = (UniqueConstraint("collaboration_id", "asset_id"),)

    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("sensitive_asset.id"), index=True)
    partner_access: Mapped[bool] = mapped_column(default=False)
