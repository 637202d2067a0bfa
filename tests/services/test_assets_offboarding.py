"""Access and leavers, duplicates, and the counts behind the dashboard and the annual report.

Offboarding removes access on the last day: access cannot be granted past it, access still held
afterwards is flagged (not ended silently), and the figures count people as well as grants.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rsdesk.cli import main
from rsdesk.services import assets, dashboard, registers, training
from rsdesk.services.assets import AssetInput
from rsdesk.services.errors import ValidationError
from rsdesk.services.registers.base import RegisterQuery, count
from tests.reports.pdf.helpers import pages_text
from tests.services.people.helpers import person

D = dt.date
TODAY = D(2026, 6, 15)


def _asset(session, name="Cleanroom", level="sensitive"):
    return assets.create_asset(
        session, AssetInput(name=name, kind="lab", sensitivity_level=level)
    ).id


def test_access_cannot_start_after_the_holders_last_day(db):
    with db.unit_of_work() as session:
        wagner = person(session, full_name="Andriy Wagner", end_date=D(2026, 2, 24))
        lab = _asset(session)
        with pytest.raises(ValidationError) as refused:
            assets.grant_access(session, lab, wagner, D(2026, 3, 1), "Cryostat", today=TODAY)
        assert refused.value.field == "since"
        assert "ended on 2026-02-24" in str(refused.value)
        # Access of the past is still recorded, when it ends by the last day...
        with pytest.raises(ValidationError) as open_ended:
            assets.grant_access(session, lab, wagner, D(2025, 3, 1), "Cryostat", today=TODAY)
        assert open_ended.value.field == "until"
        assert "left on 2026-02-24" in str(open_ended.value)
        kept = assets.grant_access(
            session, lab, wagner, D(2025, 3, 1), "Cryostat", D(2026, 2, 24), today=TODAY
        )
        assert not kept.flagged
        assert assets.access_list(session, lab, TODAY) == [kept]


def test_access_held_after_leaving_is_flagged_counted_and_cleared_by_ending_it(db):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        course = {c.code: c for c in training.courses(session)}["rs_awareness"]
        horvath = person(session, full_name="Ines Horvath", end_date=D(2026, 4, 24))
        stays = person(session, full_name="Kim Stays")
        for staff_id in (horvath, stays):
            training.record_completion(session, staff_id, course.id, D(2026, 1, 5))
        lab = _asset(session, "Prototype set-up")
        grant = assets.grant_access(
            session, lab, horvath, D(2021, 5, 7), "Builds it", today=D(2026, 1, 10)
        )
        assets.grant_access(session, lab, stays, D(2025, 5, 7), "Runs it", today=TODAY)

        # The last day still counts; from the day after, the access is held after leaving.
        [on_last_day] = [
            a for a in assets.access_list(session, lab, D(2026, 4, 24)) if a.id == grant.id
        ]
        assert not on_last_day.flagged
        entries = {a.staff_name: a for a in assets.access_list(session, lab, TODAY)}
        left = entries["Ines Horvath"]
        assert left.held_after_leaving
        assert left.flagged
        assert left.briefing_current  # flagged for leaving, not for the briefing
        assert left.holder_end_date == D(2026, 4, 24)
        assert not entries["Kim Stays"].flagged

        figures = assets.counts(session, TODAY)
        assert (figures.access_after_leaving, figures.people_after_leaving) == (1, 1)
        assert figures.leaver_access_asset_ids == (lab,)
        assert figures.access_without_briefing == 0

        assets.end_access(session, grant.id, D(2026, 4, 24))
        assert not any(a.flagged for a in assets.access_list(session, lab, TODAY))
        assert assets.counts(session, TODAY).access_after_leaving == 0


def test_a_second_grant_for_the_same_person_and_asset_is_refused_while_one_runs(db):
    with db.unit_of_work() as session:
        ada = person(session, full_name="Ada Researcher")
        lab = _asset(session)
        other = _asset(session, "Genome data")
        assets.grant_access(
            session, lab, ada, D(2025, 4, 13), "Beamline", D(2026, 3, 31), today=TODAY
        )
        with pytest.raises(ValidationError) as refused:
            assets.grant_access(session, lab, ada, D(2026, 3, 1), "Again", today=TODAY)
        assert refused.value.field == "staff_id"
        assert "already has access to Cleanroom since 2025-04-13 until 2026-03-31" in str(
            refused.value
        )
        # After that grant ends, and on another asset, a grant is fine.
        assets.grant_access(session, lab, ada, D(2026, 4, 1), "Back", today=TODAY)
        assets.grant_access(session, other, ada, D(2026, 3, 1), "Analysis", today=TODAY)
        with pytest.raises(
            ValidationError, match="already has access to Cleanroom since 2026-04-01"
        ):
            assets.grant_access(session, lab, ada, D(2027, 1, 1), "Later", today=TODAY)


@pytest.mark.parametrize("name", ["Cleanroom", "  CLEANROOM ", "Cléanroom", "cleanroom"])
def test_a_new_asset_may_not_take_the_name_of_a_current_one(db, name):
    with db.unit_of_work() as session:
        _asset(session, "Cleanroom")
        with pytest.raises(ValidationError) as refused:
            _asset(session, name)
        assert refused.value.field == "name"
        assert "'Cleanroom' is already in the register" in str(refused.value)


def test_archived_assets_free_their_name_and_a_rename_into_a_taken_name_is_refused(db):
    with db.unit_of_work() as session:
        old = _asset(session, "Cleanroom")
        assets.archive_asset(session, old)
        new = _asset(session, "Cleanroom")  # the old one is archived
        with pytest.raises(ValidationError, match="already in the register"):
            assets.archive_asset(session, old, archived=False)
        lab = _asset(session, "Quantum lab")
        with pytest.raises(ValidationError, match="already in the register"):
            assets.update_asset(
                session,
                lab,
                AssetInput(name="cleanroom", kind="lab", sensitivity_level="sensitive"),
            )
        # Saving an asset under its own name (case changed) is no conflict.
        assets.update_asset(
            session, new, AssetInput(name="CleanRoom", kind="lab", sensitivity_level="sensitive")
        )


def test_people_are_counted_once_however_many_grants_they_hold(db, db_path, tmp_path, capsys):
    with db.unit_of_work() as session:
        training.sync_courses(session)
        unbriefed = person(session, full_name="Una Unbriefed")
        leaver = person(session, full_name="Lee Leaver", end_date=D(2025, 10, 31))
        labs = [_asset(session, f"Lab {n}") for n in range(3)]
        for lab in labs:
            assets.grant_access(session, lab, unbriefed, D(2025, 1, 1), "Work", today=D(2025, 1, 1))
        for lab in labs[:2]:
            assets.grant_access(session, lab, leaver, D(2025, 1, 1), "Work", today=D(2025, 1, 1))
        figures = assets.counts(session, D(2025, 12, 31))
    assert (figures.access_without_briefing, figures.people_without_briefing) == (5, 2)
    assert (figures.access_after_leaving, figures.people_after_leaving) == (2, 1)
    out = tmp_path / "annual.pdf"
    assert (
        main(["--db", str(db_path), "report", "annual", "--year", "2025", "--out", str(out)]) == 0
    )
    capsys.readouterr()
    text = " ".join(" ".join(pages_text(out.read_bytes())).split())
    assert "2 people have access without a current briefing or training (5 grants)." in text
    assert "1 person who has left still has access (2 grants)." in text


def test_the_dashboard_and_the_registers_find_access_held_after_leaving(db):
    today = dt.date.today()
    with db.unit_of_work() as session:
        leaver = person(session, full_name="Ines Horvath", end_date=today - dt.timedelta(30))
        stays = person(session, full_name="Kim Stays")
        lab = _asset(session, "Prototype set-up")
        quiet = _asset(session, "Quiet lab")
        for asset_id in (lab, quiet):
            assets.grant_access(session, asset_id, stays, D(2025, 1, 1), "Runs it")
        for asset_id in (lab, quiet):
            assets.grant_access(
                session, asset_id, leaver, D(2025, 1, 1), "Built it", today=D(2025, 1, 1)
            )
        assets.end_access(
            session, assets.access_list(session, quiet)[0].id, today - dt.timedelta(30)
        )
        tile = dashboard.compute(session, today).figure("access_after_leaving")
        assert tile.value == 1
        assert tile.navigation == (
            "assets",
            {"ids": (lab,), "label": "access held by someone who has left"},
        )
        assert tile.detail == "1 grant of 1 person on 1 asset"
        flagged = RegisterQuery(filters={"access_flag": "held_after_leaving"})
        assert count(session, registers.get("assets"), flagged) == 1
        held = RegisterQuery(filters={"state": "held_after_leaving"})
        assert count(session, registers.get("asset_access"), held) == 1
