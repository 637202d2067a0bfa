"""The sensitive assets register, with its safeguards and access lists as registers of their own
(so that the audit workbook carries all three).

Flags that depend on dates and training (overdue verification, access without a current briefing)
are computed in ``services/assets.py``; the dashboard opens this register restricted to the
flagged ids (``RegisterQuery.ids``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from rsdesk.models import (
    AccessGrant,
    AssetSafeguard,
    Department,
    SensitiveAsset,
    StaffMember,
)
from rsdesk.models.enums import AssetKind, SafeguardStatus
from rsdesk.services.registers.base import (
    BOOL,
    DATE,
    ENUM,
    INT,
    STATUS,
    Column,
    Filter,
    RegisterSpec,
)
from rsdesk.services.registers.labels import enum_label
from rsdesk.services.registers.staff import _department_choices

Owner = aliased(StaffMember, name="owner")


def _base() -> Select[Any]:
    return (
        select()
        .select_from(SensitiveAsset)
        .outerjoin(Owner, Owner.id == SensitiveAsset.owner_staff_id)
        .outerjoin(Department, Department.id == SensitiveAsset.department_id)
    )


def _level_choices(session: Any) -> list[tuple[Any, str]]:
    from rsdesk.services.assets import level_choices

    return level_choices(session)


_safeguards_in_place = (
    select(func.count())
    .where(
        AssetSafeguard.asset_id == SensitiveAsset.id,
        AssetSafeguard.status != SafeguardStatus.PLANNED,
    )
    .correlate(SensitiveAsset)
    .scalar_subquery()
)


def _active_access() -> Any:
    today = dt.date.today()
    return (
        select(func.count())
        .where(
            AccessGrant.asset_id == SensitiveAsset.id,
            AccessGrant.since <= today,
            or_(AccessGrant.until.is_(None), AccessGrant.until >= today),
        )
        .correlate(SensitiveAsset)
        .scalar_subquery()
    )


def _held_after_leaving() -> Any:
    """Grants active today whose holder's last day has passed (see ``services/assets.py``)."""
    today = dt.date.today()
    return and_(
        AccessGrant.since <= today,
        or_(AccessGrant.until.is_(None), AccessGrant.until >= today),
        AccessGrant.staff_id.in_(select(StaffMember.id).where(StaffMember.end_date < today)),
    )


def _access_flag_filter(statement: Select[Any], value: Any) -> Select[Any]:
    if value != "held_after_leaving":
        raise ValueError(f"unknown access flag {value!r}")
    return statement.where(
        select(AccessGrant.id)
        .where(AccessGrant.asset_id == SensitiveAsset.id, _held_after_leaving())
        .correlate(SensitiveAsset)
        .exists()
    )


SPEC = RegisterSpec(
    name="assets",
    title="Sensitive assets",
    id_expr=SensitiveAsset.id,
    base=_base,
    audit_table="sensitive_asset",
    archived_expr=SensitiveAsset.archived,
    default_sort="name",
    columns=(
        Column("name", "Asset", SensitiveAsset.name, width=32),
        Column(
            "kind",
            "Kind",
            SensitiveAsset.kind,
            ENUM,
            width=12,
            choices=tuple(k.value for k in AssetKind),
        ),
        Column("sensitivity_level", "Sensitivity", SensitiveAsset.sensitivity_level, width=16),
        Column("owner", "Owner", Owner.full_name, width=20, personal=True),
        Column("department", "Department", Department.name, width=20),
        Column("location", "Location or system", SensitiveAsset.location, width=24),
        Column("dual_use_code", "Dual-use", SensitiveAsset.dual_use_code, width=8),
        Column(
            "export_licence_possible",
            "Export licence?",
            SensitiveAsset.export_licence_possible,
            BOOL,
            width=9,
        ),
        Column("safeguards", "Safeguards in place", _safeguards_in_place, INT, width=10),
        Column("access", "People with access", _active_access(), INT, width=10),
        Column("description", "Description", SensitiveAsset.description, width=30, visible=False),
    ),
    search=(SensitiveAsset.name, SensitiveAsset.location, Owner.full_name),
    filters=(
        Filter(
            "sensitivity_level",
            "Sensitivity",
            lambda s, v: s.where(SensitiveAsset.sensitivity_level == v),
            _level_choices,
        ),
        Filter(
            "kind",
            "Kind",
            lambda s, v: s.where(SensitiveAsset.kind == AssetKind(v)),
            lambda _s: [(k.value, enum_label(k)) for k in AssetKind],
        ),
        Filter(
            "department",
            "Department",
            lambda s, v: s.where(SensitiveAsset.department_id == int(v)),
            _department_choices,
        ),
        Filter(
            "export_licence",
            "Export licence",
            lambda s, v: s.where(SensitiveAsset.export_licence_possible.is_(v in (True, "yes"))),
            lambda _s: [("yes", "May be needed"), ("no", "Not needed")],
        ),
        Filter(
            "access_flag",
            "Access",
            _access_flag_filter,
            lambda _s: [("held_after_leaving", "Held by someone who has left")],
        ),
    ),
)


def _safeguard_base() -> Select[Any]:
    return (
        select()
        .select_from(AssetSafeguard)
        .join(SensitiveAsset, SensitiveAsset.id == AssetSafeguard.asset_id)
    )


SAFEGUARDS = RegisterSpec(
    name="asset_safeguards",
    title="Asset safeguards",
    id_expr=AssetSafeguard.id,
    base=_safeguard_base,
    audit_table="asset_safeguard",
    archived_expr=SensitiveAsset.archived,
    default_sort="asset",
    columns=(
        Column("asset", "Asset", SensitiveAsset.name, width=32),
        Column("sensitivity_level", "Sensitivity", SensitiveAsset.sensitivity_level, width=16),
        Column("safeguard_code", "Safeguard", AssetSafeguard.safeguard_code, width=26),
        Column(
            "status",
            "Status",
            AssetSafeguard.status,
            STATUS,
            width=10,
            choices=tuple(s.value for s in SafeguardStatus),
        ),
        Column(
            "last_verified_on", "Last verified", AssetSafeguard.last_verified_on, DATE, width=11
        ),
        Column(
            "verification_months",
            "Period (months)",
            AssetSafeguard.verification_months,
            INT,
            width=8,
        ),
        Column("evidence", "Evidence", AssetSafeguard.evidence, width=36),
    ),
    search=(SensitiveAsset.name, AssetSafeguard.safeguard_code, AssetSafeguard.evidence),
    filters=(
        Filter(
            "status",
            "Status",
            lambda s, v: s.where(AssetSafeguard.status == SafeguardStatus(v)),
            lambda _s: [(x.value, enum_label(x)) for x in SafeguardStatus],
        ),
        Filter("asset", "Asset", lambda s, v: s.where(AssetSafeguard.asset_id == int(v))),
    ),
)

Holder = aliased(StaffMember, name="holder")


def _access_base() -> Select[Any]:
    return (
        select()
        .select_from(AccessGrant)
        .join(SensitiveAsset, SensitiveAsset.id == AccessGrant.asset_id)
        .join(Holder, Holder.id == AccessGrant.staff_id)
    )


def _active_filter(statement: Select[Any], value: Any) -> Select[Any]:
    today = dt.date.today()
    active = and_(
        AccessGrant.since <= today, or_(AccessGrant.until.is_(None), AccessGrant.until >= today)
    )
    if value == "active":
        return statement.where(active)
    if value == "ended":
        return statement.where(~active)
    if value == "held_after_leaving":
        return statement.where(_held_after_leaving())
    raise ValueError(f"unknown access filter {value!r}")


ACCESS = RegisterSpec(
    name="asset_access",
    title="Access to sensitive assets",
    id_expr=AccessGrant.id,
    base=_access_base,
    audit_table="access_grant",
    archived_expr=SensitiveAsset.archived,
    default_sort="asset",
    columns=(
        Column("asset", "Asset", SensitiveAsset.name, width=32),
        Column("sensitivity_level", "Sensitivity", SensitiveAsset.sensitivity_level, width=16),
        Column("staff_number", "Staff no.", Holder.staff_number, width=11, personal=True),
        Column("staff_name", "Name", Holder.full_name, width=24, personal=True),
        Column("since", "Since", AccessGrant.since, DATE, width=11),
        Column("until", "Until", AccessGrant.until, DATE, width=11),
        Column("reason", "Reason", AccessGrant.reason, width=36),
    ),
    search=(SensitiveAsset.name, Holder.full_name, Holder.staff_number),
    filters=(
        Filter(
            "state",
            "Access",
            _active_filter,
            lambda _s: [
                ("active", "Current"),
                ("ended", "Ended or not yet started"),
                ("held_after_leaving", "Holder has left"),
            ],
        ),
        Filter("asset", "Asset", lambda s, v: s.where(AccessGrant.asset_id == int(v))),
        Filter("staff", "Staff member", lambda s, v: s.where(AccessGrant.staff_id == int(v))),
    ),
)
