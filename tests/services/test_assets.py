"""Sensitive assets: expected and missing safeguards, overdue verification at its edges, access
flagged without a current briefing (and cleared by recording the training), counts, links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from rsdesk.models import AuditEntry, SensitiveAsset
from rsdesk.models.enums import SafeguardStatus
from rsdesk.resources import load_toml
from rsdesk.services import assets, training
from rsdesk.services.assets import AssetInput
from rsdesk.services.errors import KnownError, ValidationError

from .people.helpers import department, person

D = dt.date
TODAY = D(2026, 6, 15)


def _asset(session, level="sensitive", **values):
    data = {"name": f"Cleanroom {level}", "kind": "lab", "sensitivity_level": level}
    data.update(values)
    return assets.create_asset(session, AssetInput(**data)).id


def _catalogue_expected(level):
    document = load_toml("rules", "safeguards.toml")
    return [item["code"] for item in document["safeguard"] if level in item.get("levels", [])]


@pytest.mark.parametrize("level", ["public", "internal", "sensitive", "highly_sensitive"])
def test_expected_safeguards_follow_the_catalogue_for_each_level(db, level):
    with db.unit_of_work() as session:
        asset_id = _asset(session, level)
        states = assets.safeguards(session, asset_id, TODAY)
    assert [s.code for s in states if s.expected] == _catalogue_expected(level)
    # nothing recorded yet: every expected one is missing
    assert [s.code for s in states if s.missing] == _catalogue_expected(level)


def test_levels_rise_in_what_they_expect():
    rules = assets.load_rules()
    expected = [set(r.code for r in rules.expected(level.code)) for level in rules.levels]
    assert [level.code for level in rules.levels] == [
        "public",
        "internal",
        "sensitive",
        "highly_sensitive",
    ]
    for lower, higher in zip(expected, expected[1:], strict=False):
        assert lower < higher


def test_missing_drops_what_is_in_place_but_not_what_is_only_planned(db):
    with db.unit_of_work() as session:
        asset_id = _asset(session, "sensitive")
        assets.set_safeguard(session, asset_id, "mfa", "in_place", today=TODAY)
        assets.set_safeguard(
            session,
            asset_id,
            "encryption",
            "verified",
            last_verified_on=D(2026, 1, 10),
            today=TODAY,
        )
        assets.set_safeguard(session, asset_id, "access_logging", "planned", today=TODAY)
        # recorded but not expected at this level: shown, not missing
        assets.set_safeguard(session, asset_id, "locked_storage", "in_place", today=TODAY)
        states = {s.code: s for s in assets.safeguards(session, asset_id, TODAY)}
        missing = [s.code for s in assets.missing_safeguards(session, asset_id)]
    expected = _catalogue_expected("sensitive")
    assert missing == [c for c in expected if c not in ("mfa", "encryption")]
    assert "access_logging" in missing
    assert states["locked_storage"].expected is False
    assert not states["locked_storage"].missing


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (D(2026, 1, 30), False),
        (D(2026, 1, 31), False),  # the due date itself still counts
        (D(2026, 2, 1), True),
    ],
)
def test_a_safeguard_past_its_verification_period_is_overdue(db, today, overdue):
    with db.unit_of_work() as session:
        asset_id = _asset(session, "sensitive")
        # encryption: 12 months by default; verified 31 Jan 2025 is due 31 Jan 2026
        state = assets.set_safeguard(
            session,
            asset_id,
            "encryption",
            "verified",
            last_verified_on=D(2025, 1, 31),
            today=today,
        )
        assert state.due_on == D(2026, 1, 31)
        assert state.overdue is overdue
        figures = assets.counts(session, today)
    assert figures.safeguards_overdue == (1 if overdue else 0)
    assert figures.overdue_asset_ids == ((asset_id,) if overdue else ())


def test_highly_sensitive_access_lists_are_checked_quarterly_and_an_asset_may_set_its_own(db):
    with db.unit_of_work() as session:
        high = _asset(session, "highly_sensitive", name="Reactor data")
        state = assets.set_safeguard(
            session,
            high,
            "need_to_know_list",
            "verified",
            last_verified_on=D(2026, 1, 15),
            today=TODAY,
        )
        assert state.verification_months == 3
        assert state.due_on == D(2026, 4, 15)
        assert state.overdue
        own = assets.set_safeguard(
            session,
            high,
            "need_to_know_list",
            "verified",
            last_verified_on=D(2026, 1, 15),
            verification_months=6,
            today=TODAY,
        )
        assert own.due_on == D(2026, 7, 15)
        assert not own.overdue


def test_planned_is_never_overdue_and_in_place_never_verified_is(db):
    with db.unit_of_work() as session:
        asset_id = _asset(session)
        assert not assets.set_safeguard(session, asset_id, "mfa", "planned", today=TODAY).overdue
        assert assets.set_safeguard(session, asset_id, "mfa", "in_place", today=TODAY).overdue


def test_safeguard_validation(db):
    with db.unit_of_work() as session:
        asset_id = _asset(session)
        with pytest.raises(ValidationError, match="not in the safeguard catalogue"):
            assets.set_safeguard(session, asset_id, "moat", "in_place")
        with pytest.raises(ValidationError, match="needs the date"):
            assets.set_safeguard(session, asset_id, "mfa", "verified")
        with pytest.raises(ValidationError, match="future"):
            assets.set_safeguard(
                session,
                asset_id,
                "mfa",
                "verified",
                last_verified_on=TODAY,
                today=TODAY - dt.timedelta(1),
            )
        with pytest.raises(ValidationError, match="Unknown status"):
            assets.set_safeguard(session, asset_id, "mfa", "done")


def test_access_without_a_current_briefing_is_flagged_until_the_training_is_recorded(db):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        courses = {c.code: c for c in training.courses(session)}
        staff_id = person(session, full_name="Ada Researcher")
        asset_id = _asset(session, "sensitive")
        # rs_awareness: 24 months; completed 10 May 2024 lapsed after 10 May 2026
        training.record_completion(session, staff_id, courses["rs_awareness"].id, D(2024, 5, 10))
        grant = assets.grant_access(session, asset_id, staff_id, D(2025, 1, 1), "Runs the beamline")
        [entry] = assets.access_list(session, asset_id, D(2026, 5, 10))
        assert entry.id == grant.id
        assert not entry.flagged
        [entry] = assets.access_list(session, asset_id, TODAY)
        assert entry.flagged
        assert entry.lacking == (courses["rs_awareness"].name,)
        assert assets.counts(session, TODAY).access_without_briefing == 1
        assert assets.counts(session, TODAY).flagged_access_asset_ids == (asset_id,)

        training.record_completion(session, staff_id, courses["rs_awareness"].id, D(2026, 6, 1))
        [entry] = assets.access_list(session, asset_id, TODAY)
        assert entry.briefing_current
        assert not entry.flagged
        assert assets.counts(session, TODAY).access_without_briefing == 0


def test_ended_access_and_unrestricted_levels_are_not_flagged(db):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        staff_id = person(session)
        internal = _asset(session, "internal", name="Group wiki")
        sensitive = _asset(session, "sensitive", name="Genome data")
        assets.grant_access(session, internal, staff_id, D(2025, 1, 1), "Group member")
        ended = assets.grant_access(
            session, sensitive, staff_id, D(2025, 1, 1), "Pilot", until=D(2026, 6, 14)
        )
        assert ended.until == D(2026, 6, 14)
        [entry] = assets.access_list(session, sensitive, TODAY)
        assert not entry.active
        assert entry.lacking
        assert not entry.flagged
        [open_entry] = assets.access_list(session, internal, TODAY)
        assert open_entry.briefing_current
        assert not open_entry.flagged
        assert assets.counts(session, TODAY).access_without_briefing == 0
        assets.end_access(session, open_entry.id, D(2026, 6, 15))
        assert assets.access_list(session, internal, TODAY)[0].active  # the last day counts
        assert not assets.access_list(session, internal, D(2026, 6, 16))[0].active


def test_access_validation(db):
    with db.unit_of_work() as session:
        staff_id = person(session)
        asset_id = _asset(session)
        with pytest.raises(ValidationError, match="reason"):
            assets.grant_access(session, asset_id, staff_id, TODAY, "  ")
        with pytest.raises(ValidationError, match="end before"):
            assets.grant_access(
                session, asset_id, staff_id, TODAY, "x", until=TODAY - dt.timedelta(1)
            )
        with pytest.raises(ValidationError, match="staff member"):
            assets.grant_access(session, asset_id, 99999, TODAY, "x")
        assets.archive_asset(session, asset_id)
        with pytest.raises(ValidationError, match="archived"):
            assets.grant_access(session, asset_id, staff_id, TODAY, "x")


def test_create_update_archive_are_validated_and_audited(db):
    with db.unit_of_work() as session:
        owner = person(session, full_name="Owner")
        dept = department(session, "Chemistry")
        info = assets.create_asset(
            session,
            AssetInput(
                name="  Synthesis lab ",
                kind="lab",
                sensitivity_level="highly_sensitive",
                owner_staff_id=owner,
                department_id=dept,
                technology_areas=("quantum",),
                dual_use_code="1",
                export_licence_possible=True,
                location="Building 4, room 12",
            ),
        )
        assert info.name == "Synthesis lab"
        assert info.owner_name == "Owner"
        assert info.department == "Chemistry"
        assert info.level_name == "Highly sensitive"
        for bad, match in [
            ({"name": ""}, "name"),
            ({"kind": "castle"}, "asset kind"),
            ({"sensitivity_level": "secret"}, "sensitivity level"),
            ({"dual_use_code": "42"}, "dual-use"),
            ({"technology_areas": ("warp_drive",)}, "technology area"),
            ({"owner_staff_id": 99999}, "owner"),
        ]:
            data = {"name": "X", "kind": "lab", "sensitivity_level": "internal", **bad}
            with pytest.raises(ValidationError, match=match):
                assets.update_asset(session, info.id, AssetInput(**data))
        updated = assets.update_asset(
            session,
            info.id,
            AssetInput(name="Synthesis lab", kind="lab", sensitivity_level="sensitive"),
        )
        assert updated.sensitivity_level == "sensitive"
        assert updated.owner_staff_id is None
        assert assets.archive_asset(session, info.id).archived
    with db.read() as session:
        entries = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.table_name == "sensitive_asset", AuditEntry.record_id == info.id)
        )
        assert entries == 3  # insert, update, archive
        assert session.get(SensitiveAsset, info.id).archived


def test_technology_areas_are_kept_and_replaced(db):
    with db.unit_of_work() as session:
        codes = [row["code"] for row in load_toml("reference", "technology_areas.toml")["area"]][:3]
        asset_id = _asset(session, technology_areas=tuple(codes[:2]))
        assert assets.get_asset(session, asset_id).technology_areas == tuple(sorted(codes[:2]))
        assets.update_asset(
            session,
            asset_id,
            AssetInput(
                name="x", kind="dataset", sensitivity_level="internal", technology_areas=(codes[2],)
            ),
        )
        assert assets.get_asset(session, asset_id).technology_areas == (codes[2],)


def test_counts_by_level_and_on_time(db):
    with db.unit_of_work() as session:
        a = _asset(session, "sensitive", name="A")
        _asset(session, "sensitive", name="B")
        _asset(session, "public", name="C")
        gone = _asset(session, "highly_sensitive", name="D")
        assets.archive_asset(session, gone)
        assets.set_safeguard(
            session, a, "mfa", "verified", last_verified_on=D(2026, 1, 1), today=TODAY
        )
        assets.set_safeguard(
            session, a, "encryption", "verified", last_verified_on=D(2024, 1, 1), today=TODAY
        )
        figures = assets.counts(session, TODAY)
    assert figures.assets == 3
    assert figures.by_level == (("public", 1), ("sensitive", 2))
    assert (
        figures.safeguards_recorded,
        figures.safeguards_on_time,
        figures.safeguards_overdue,
    ) == (2, 1, 1)
    expected = len(_catalogue_expected("sensitive"))
    assert figures.safeguards_missing == 2 * expected - 2


def test_collaboration_links_and_the_appraisal_prefill(db):
    from rsdesk.models import Collaboration
    from rsdesk.models.enums import CollaborationKind
    from rsdesk.services.appraisal import workflow

    with db.unit_of_work() as session:
        collaboration = Collaboration(
            reference="C-1", title="Joint lab", kind=CollaborationKind.JOINT_RESEARCH
        )
        session.add(collaboration)
        session.flush()
        asset_id = _asset(session, "highly_sensitive", name="Quantum lab")
        assets.link_collaboration(session, collaboration.id, asset_id)
        assert "form_access" not in workflow.prefill_answers(session, collaboration.id)
        assets.link_collaboration(session, collaboration.id, asset_id, partner_access=True)
        [linked] = assets.assets_of_collaboration(session, collaboration.id)
        assert linked.partner_access
        assert linked.name == "Quantum lab"
        prefill = workflow.prefill_answers(session, collaboration.id)
        assert prefill["form_access"].option == "sensitive"
        assert "Quantum lab" in prefill["form_access"].note
        assets.unlink_collaboration(session, collaboration.id, asset_id)
        assert assets.assets_of_collaboration(session, collaboration.id) == []


def test_an_edited_catalogue_that_names_an_unknown_level_is_refused():
    levels = load_toml("rules", "sensitivity_levels.toml")
    safeguards = {
        "safeguard": [{"code": "x", "category": "digital", "text": "X", "levels": ["top"]}]
    }
    with pytest.raises(KnownError, match="unknown sensitivity level 'top'"):
        assets.parse_rules(levels, safeguards)
    with pytest.raises(KnownError, match="category"):
        assets.parse_rules(levels, {"safeguard": [{"code": "x", "category": "magic", "text": "X"}]})


def test_status_labels_cover_every_status():
    assert set(assets.STATUS_LABELS) == set(SafeguardStatus)


def test_dashboard_flags_access_without_briefing_and_overdue_safeguards(db):
    from rsdesk.services import dashboard

    with db.unit_of_work() as session:
        training.sync_courses(session)
        staff_id = person(session)
        flagged = _asset(session, "sensitive", name="Flagged")
        _asset(session, "sensitive", name="Quiet")
        assets.grant_access(session, flagged, staff_id, D(2020, 1, 1), "Project")
        assets.set_safeguard(session, flagged, "mfa", "verified", last_verified_on=D(2020, 1, 1))
        board = dashboard.compute(session)
    access = board.figure("access_without_briefing")
    overdue = board.figure("safeguards_overdue")
    assert access.value == 1
    assert overdue.value == 1
    assert access.navigation == (
        "assets",
        {"ids": (flagged,), "label": "access without a current briefing"},
    )
    assert overdue.navigation == (
        "assets",
        {"ids": (flagged,), "label": "safeguards overdue for verification"},
    )
