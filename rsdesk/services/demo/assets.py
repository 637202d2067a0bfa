"""Demo section: the sensitive-asset register (labs, equipment, data, software, know-how).

About one asset per 40 collaborations (at least 5), each owned by a senior member of a research
department, at a sensitivity level of the shipped rules, with its technology areas and, where the
department's work is dual-use, an Annex I category. Safeguards come from the catalogue in a
realistic mix: most expected ones in place or verified, some still planned, a few missing, and a
few whose periodic verification is overdue. Access lists name people of the department (whoever
lacks a required course shows up as "briefing missing" through the training register), and some
assets are linked to the department's collaborations, a few with partner access.

Rows go through :meth:`DemoContext.write` (bulk inserts with audit entries).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Table

from rsdesk.models import (
    AccessGrant,
    AssetSafeguard,
    AssetTechnology,
    CollaborationAsset,
    SensitiveAsset,
)
from rsdesk.models.enums import AssetKind, CollaborationStatus, SafeguardStatus
from rsdesk.services.assets import load_rules
from rsdesk.services.demo.context import CollaborationRow, DemoContext, StaffRow
from rsdesk.services.demo.organisation import LEAD_ROLES, go_live, profile_of
from rsdesk.services.demo.vocabulary import OFFICE
from rsdesk.services.training import add_months

ASSETS = cast(Table, SensitiveAsset.__table__)
TECHNOLOGY = cast(Table, AssetTechnology.__table__)
SAFEGUARDS = cast(Table, AssetSafeguard.__table__)
GRANTS = cast(Table, AccessGrant.__table__)
LINKS = cast(Table, CollaborationAsset.__table__)

#: Share of each kind of asset, in percent.
KIND_WEIGHTS = {
    AssetKind.LAB: 22,
    AssetKind.FACILITY: 6,
    AssetKind.EQUIPMENT: 24,
    AssetKind.DATASET: 22,
    AssetKind.SOFTWARE: 14,
    AssetKind.KNOW_HOW: 12,
}
#: Share of each sensitivity level (codes of resources/rules/sensitivity_levels.toml), in percent.
LEVEL_WEIGHTS = {"public": 5, "internal": 25, "sensitive": 45, "highly_sensitive": 25}
NAMES = {
    AssetKind.LAB: ("{field} laboratory", "{field} lab, building {building}"),
    AssetKind.FACILITY: ("Clean room for {topic}", "Shielded test hall for {topic}"),
    AssetKind.EQUIPMENT: ("Test bench for {topic}", "Prototype set-up: {topic}"),
    AssetKind.DATASET: ("Measurement data: {topic}", "Data set on {topic}"),
    AssetKind.SOFTWARE: ("Simulation code for {topic}", "Analysis pipeline: {topic}"),
    AssetKind.KNOW_HOW: ("Unpublished process know-how: {topic}", "Design rules for {topic}"),
}
LOCATIONS = {
    AssetKind.LAB: "Building {building}, room {room}",
    AssetKind.FACILITY: "Building {building}, basement",
    AssetKind.EQUIPMENT: "Building {building}, room {room}",
    AssetKind.DATASET: "Research data storage, project share {code}-{room}",
    AssetKind.SOFTWARE: "Institutional Git server, group {code}",
    AssetKind.KNOW_HOW: "Lab notebooks of the group, building {building}",
}
GRANT_REASONS = (
    "Works in the group",
    "PhD project uses this asset",
    "Technical support and maintenance",
    "Joint project work",
    "Supervises the measurements",
    "Temporary access for a visit",
)
EVIDENCE = (
    "Checked on site by the lab manager",
    "Access-control log reviewed",
    "Configuration screenshot filed",
    "Signed list filed with the office",
    "IT security report",
    None,
)
#: Statuses in which a collaboration plausibly uses an asset.
LINKABLE = frozenset(
    {
        CollaborationStatus.ACTIVE.value,
        CollaborationStatus.APPROVED.value,
        CollaborationStatus.APPROVED_WITH_CONDITIONS.value,
        CollaborationStatus.UNDER_APPRAISAL.value,
        CollaborationStatus.ENDED.value,
    }
)


def assets(ctx: DemoContext) -> dict[str, int]:
    """Assets with their technology areas, safeguards, access lists and collaboration links."""
    rng = ctx.rng
    rules = load_rules()
    level_codes = {level.code for level in rules.levels}
    levels = [code for code in LEVEL_WEIGHTS if code in level_codes] or [rules.levels[0].code]
    level_weights = [LEVEL_WEIGHTS.get(code, 1) for code in levels]
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    departments = [d for d in ctx.departments if d.profile_key != OFFICE.key]
    staff_by_department: dict[int, list[StaffRow]] = defaultdict(list)
    for member in ctx.staff:
        if member.end_date is None or member.end_date > ctx.anchor:
            staff_by_department[member.department_id].append(member)
    collaborations_by_department: dict[int, list[CollaborationRow]] = defaultdict(list)
    for collaboration in ctx.collaborations:
        if collaboration.status in LINKABLE:
            collaborations_by_department[collaboration.department_id].append(collaboration)
    register_start = go_live(ctx)
    count = max(5, ctx.size // 40)
    asset_rows: list[dict[str, Any]] = []
    area_rows: list[dict[str, Any]] = []
    safeguard_rows: list[dict[str, Any]] = []
    grant_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    for _ in range(count):
        ctx.cancel.raise_if_cancelled()
        department = rng.choice(departments)
        profile = profile_of(ctx, department.id)
        people = staff_by_department.get(department.id) or ctx.staff
        seniors = [m for m in people if m.role_category in LEAD_VALUES] or people
        owner = rng.choice(seniors)
        kind = rng.choices(kinds, kind_weights)[0]
        level = rng.choices(levels, level_weights)[0]
        sensitive = rules.level(level).sensitive
        topic = rng.choice(profile.topics)
        building = f"{rng.choice('ABCDEFGH')}{rng.randint(1, 9)}"
        room = f"{rng.randint(0, 4)}.{rng.randint(1, 60):02d}"
        name = rng.choice(NAMES[kind]).format(
            field=rng.choice(profile.fields), topic=topic, building=building
        )
        areas = [code for code in profile.areas if code in ctx.technology_areas]
        dual_codes = [code for code in profile.dual_use if code in ctx.dual_use_codes]
        dual_use = (
            rng.choice(dual_codes) if sensitive and dual_codes and rng.random() < 0.4 else None
        )
        created_on = register_start + dt.timedelta(
            days=rng.randint(0, max(0, (ctx.anchor - register_start).days - 30))
        )
        created = ctx.moment(created_on)
        asset_id = ctx.new_id(ASSETS)
        asset_rows.append(
            {
                "id": asset_id,
                "name": name[0].upper() + name[1:],
                "kind": kind.value,
                "owner_staff_id": owner.id,
                "department_id": department.id,
                "sensitivity_level": level,
                "dual_use_code": dual_use,
                "export_licence_possible": dual_use is not None and rng.random() < 0.6,
                "location": LOCATIONS[kind].format(
                    building=building, room=room, code=department.code
                ),  # fmt: skip
                "description": f"Used for work on {topic} ({profile.name}).",
                "archived": rng.random() < 0.03,
                "created_at": created,
                "updated_at": created,
            }
        )
        for code in rng.sample(areas, min(len(areas), rng.randint(1, 2))) if areas else ():
            area_rows.append(_row(ctx, TECHNOLOGY, created, asset_id=asset_id, area_code=code))
        for rule in rules.safeguards:
            expected = level in rule.levels
            if (not expected and rng.random() > 0.08) or (expected and rng.random() < 0.1):
                continue  # an extra one now and then; an expected one missing now and then
            months = rule.period_for(level)
            roll = rng.random()
            last_verified: dt.date | None = None
            if roll < 0.15:
                status = SafeguardStatus.PLANNED
            elif roll < 0.40:
                status = SafeguardStatus.IN_PLACE
            else:
                status = SafeguardStatus.VERIFIED
            if status != SafeguardStatus.PLANNED:
                if rng.random() < 0.18:  # verification overdue
                    last_verified = add_months(ctx.anchor, -months) - dt.timedelta(
                        days=rng.randint(1, 200)
                    )
                elif status == SafeguardStatus.VERIFIED or rng.random() < 0.5:
                    last_verified = add_months(ctx.anchor, -months) + dt.timedelta(
                        days=rng.randint(10, max(11, months * 30 - 10))
                    )
                if last_verified is not None:
                    last_verified = min(max(last_verified, created_on), ctx.anchor)
                elif status == SafeguardStatus.VERIFIED:
                    last_verified = created_on
            safeguard_rows.append(
                _row(
                    ctx, SAFEGUARDS, created, asset_id=asset_id, safeguard_code=rule.code,
                    status=status.value, last_verified_on=last_verified,
                    verification_months=None,
                    evidence=rng.choice(EVIDENCE) if last_verified else None,
                )
            )  # fmt: skip
        if level != "public":
            holders = [owner, *rng.sample(people, min(len(people), rng.randint(1, 7)))]
            seen: set[int] = set()
            for member in holders:
                if member.id in seen:
                    continue
                seen.add(member.id)
                since = max(created_on, member.start_date)
                since = min(since + dt.timedelta(days=rng.randint(0, 60)), ctx.anchor)
                until = None
                if member is not owner and rng.random() < 0.12:
                    until = min(ctx.anchor, since + dt.timedelta(days=rng.randint(30, 700)))
                grant_rows.append(
                    _row(
                        ctx, GRANTS, ctx.moment(since), asset_id=asset_id, staff_id=member.id,
                        since=since, until=until,
                        reason="Asset owner" if member is owner else rng.choice(GRANT_REASONS),
                    )
                )  # fmt: skip
        candidates = collaborations_by_department.get(department.id) or []
        if candidates and rng.random() < 0.6:
            for collaboration in rng.sample(candidates, min(len(candidates), rng.randint(1, 3))):
                linked_on = max(created_on, collaboration.proposed_on)
                link_rows.append(
                    _row(
                        ctx, LINKS, ctx.moment(min(linked_on, ctx.anchor)),
                        collaboration_id=collaboration.id, asset_id=asset_id,
                        partner_access=sensitive and rng.random() < 0.3,
                    )
                )  # fmt: skip
    return {
        "sensitive assets": ctx.write(ASSETS, asset_rows, "sensitive assets"),
        "asset technology areas": ctx.write(TECHNOLOGY, area_rows),
        "asset safeguards": ctx.write(SAFEGUARDS, safeguard_rows, "asset safeguards"),
        "access grants": ctx.write(GRANTS, grant_rows, "access grants"),
        "collaboration assets": ctx.write(LINKS, link_rows),
    }


LEAD_VALUES = frozenset(role.value for role in LEAD_ROLES)


def _row(ctx: DemoContext, table: Table, created: dt.datetime, **values: Any) -> dict[str, Any]:
    return {"id": ctx.new_id(table), **values, "created_at": created, "updated_at": created}
