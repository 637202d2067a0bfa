"""Screening partners: hits stored per list version, verdicts, carry-over, queries, register."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from rsdesk.db import Database
from rsdesk.models import Collaboration, CollaborationPartner, Partner, PartnerName, ScreeningResult
from rsdesk.models.enums import CollaborationKind, CollaborationStatus, ScreeningVerdict
from rsdesk.services import registers
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.errors import NotFoundError, ValidationError
from rsdesk.services.progress import Cancelled, CancelToken
from rsdesk.services.screening import lists, workflow
from tests.services.screening.conftest import FIXTURES, add_partner

OFFICE_V1 = 'name,aliases,country,note,id\n"Orion Photonics Co., Ltd.",OP,CN,supplier,NRO-1\nVega Optics,,CN,,NRO-2\n'
# Version 2: NRO-1 unchanged, NRO-2 changed (a new alias).
OFFICE_V2 = 'name,aliases,country,note,id\n"Orion Photonics Co., Ltd.",OP,CN,supplier,NRO-1\nVega Optics,Vega Optical|VO,CN,,NRO-2\n'


def _load(db: Database, path: Path, name: str | None = None) -> lists.LoadOutcome:
    with db.unit_of_work() as session:
        return lists.load_file(session, path, name=name)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_screen_partner_stores_one_result_per_matched_entry(any_db: Database) -> None:
    _load(any_db, FIXTURES / "us_csl.csv")
    _load(any_db, FIXTURES / "opensanctions_targets.simple.csv")
    with any_db.unit_of_work() as session:
        hit = add_partner(session, "Harbin Inst. of Technology", "哈尔滨工业大学", "HIT")
        clean = add_partner(session, "Technical University of Munich", "TUM")
        outcome = workflow.screen_partner(session, hit)
        assert (outcome.matches, outcome.new_hits) == (1, 1)
        assert workflow.screen_partner(session, clean).matches == 0
    with any_db.read() as session:
        rows = workflow.results_for_partner(session, hit)
        assert len(rows) == 1
        row = rows[0]
        assert row.entry_name == "Harbin Institute of Technology"
        assert row.list_key == "us-csl"
        assert row.list_version == 1
        assert row.partner_name_matched in {"Harbin Inst. of Technology", "哈尔滨工业大学", "HIT"}
        assert row.score == 1.0
        assert row.verdict == ScreeningVerdict.PENDING
        assert workflow.results_for_partner(session, clean) == []
        counts = workflow.dashboard_counts(session)
        assert (counts.pending_hits, counts.confirmed_matches, counts.active_lists) == (1, 0, 2)


def test_screening_again_does_not_duplicate_and_withdraws_stale_pending_hits(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "Beijing Institute of Technology")
        workflow.screen_partner(session, partner_id)
        again = workflow.screen_partner(session, partner_id)
        assert (again.matches, again.new_hits) == (1, 0)
    with db.unit_of_work() as session:  # renamed: the pending hit no longer applies
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partner.name = "Beijing University of Technology"
        outcome = workflow.screen_partner(session, partner_id)
        assert (outcome.matches, outcome.withdrawn) == (0, 1)
    with db.read() as session:
        assert workflow.results_for_partner(session, partner_id) == []


def test_verdicts_need_a_note_and_record_who_and_when(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "NUDT")
        workflow.screen_partner(session, partner_id)
    with db.read() as session:
        (row,) = workflow.results_for_partner(session, partner_id)
    with pytest.raises(ValidationError) as caught, db.unit_of_work() as session:
        workflow.decide(session, row.id, ScreeningVerdict.TRUE_MATCH, "  ")
    assert caught.value.field == "note"
    with pytest.raises(NotFoundError), db.unit_of_work() as session:
        workflow.decide(session, 999_999, "true_match", "x")
    with db.unit_of_work() as session:
        workflow.decide(session, row.id, "true_match", "Same body: NUDT, Changsha")
    with db.read() as session:
        (decided,) = workflow.confirmed_matches_for_partner(session, partner_id)
        assert decided.verdict == ScreeningVerdict.TRUE_MATCH
        assert decided.decided_by == db.actor
        assert decided.decided_at is not None
        assert decided.verdict_note == "Same body: NUDT, Changsha"
        counts = workflow.dashboard_counts(session)
        assert (counts.pending_hits, counts.confirmed_matches) == (0, 1)
        assert counts.partners_with_confirmed_matches == 1


def test_false_positive_stays_dismissed_while_the_entry_is_unchanged(
    db: Database, tmp_path: Path
) -> None:
    _load(db, _write(tmp_path, "named-2026-10.csv", OFFICE_V1), name="Named organisations")
    with db.unit_of_work() as session:
        orion = add_partner(session, "Orion Photonics GmbH")
        vega = add_partner(session, "Vega Optics Ltd")
        workflow.rescreen_all(session)
    with db.read() as session:
        (orion_hit,) = workflow.results_for_partner(session, orion)
        (vega_hit,) = workflow.results_for_partner(session, vega)
    with db.unit_of_work() as session:
        workflow.decide(session, orion_hit.id, "false_positive", "German firm, unrelated")
        workflow.decide(session, vega_hit.id, "false_positive", "Different Vega")
    _load(db, _write(tmp_path, "named-2026-11.csv", OFFICE_V2), name="Named organisations")
    with db.unit_of_work() as session:
        summary = workflow.rescreen_all(session)
    assert (summary.partners, summary.carried_over, summary.new_hits) == (2, 1, 1)
    with db.read() as session:
        (orion_now,) = workflow.results_for_partner(session, orion)
        assert orion_now.list_version == 2
        assert orion_now.verdict == ScreeningVerdict.FALSE_POSITIVE
        assert "German firm, unrelated" in (orion_now.verdict_note or "")
        (vega_now,) = workflow.results_for_partner(session, vega)
        assert vega_now.list_version == 2
        assert vega_now.verdict == ScreeningVerdict.PENDING  # the entry changed: look again
        # The old results keep pointing at version 1.
        history = workflow.results_for_partner(session, orion, include_inactive=True)
        assert sorted(r.list_version for r in history) == [1, 2]
        assert workflow.dashboard_counts(session).pending_hits == 1


def test_confirmed_matches_for_collaboration(db: Database) -> None:
    _load(db, FIXTURES / "eu_fsf.xml")
    with db.unit_of_work() as session:
        listed = add_partner(session, "Rosoboronexport JSC")
        other = add_partner(session, "University of Vienna")
        collaboration = Collaboration(
            reference="C-2026-001",
            title="Radar materials",
            kind=CollaborationKind.JOINT_RESEARCH,
            status=CollaborationStatus.PROPOSED,
        )
        session.add(collaboration)
        session.flush()
        for partner_id in (listed, other):
            session.add(
                CollaborationPartner(collaboration_id=collaboration.id, partner_id=partner_id)
            )
        workflow.screen_partner(session, listed)
        workflow.screen_partner(session, other)
        collaboration_id = collaboration.id
    with db.read() as session:
        assert workflow.confirmed_matches_for_collaboration(session, collaboration_id) == []
        (hit,) = workflow.pending_hits(session)
    with db.unit_of_work() as session:
        workflow.decide(session, hit.id, "true_match", "Same registration number")
    with db.read() as session:
        (confirmed,) = workflow.confirmed_matches_for_collaboration(session, collaboration_id)
        assert confirmed.partner_id == listed
        assert confirmed.entry_name == "Joint Stock Company Rosoboronexport"


def test_rescreen_all_reports_progress_and_can_be_cancelled(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        for number in range(25):
            add_partner(session, f"Example University {number}")
        add_partner(session, "Beijing Institute of Technology")
    seen: list[tuple[int, int]] = []
    with db.unit_of_work() as session:
        summary = workflow.rescreen_all(
            session, progress=lambda done, total, _m="": seen.append((done, total)), batch=10
        )
    assert summary.partners == 26
    assert summary.new_hits == 1
    assert seen[-1] == (26, 26)
    assert (10, 26) in seen
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled), db.unit_of_work() as session:
        workflow.rescreen_all(session, cancel=token)


def test_archived_partners_are_not_rescreened(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "Beijing Institute of Technology")
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partner.archived = True
        assert workflow.rescreen_all(session).partners == 0


def test_other_names_are_screened(db: Database) -> None:
    _load(db, FIXTURES / "opensanctions_entities.ftm.json")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "MIT Moscow")
        partner = session.get(Partner, partner_id)
        assert partner is not None
        partner.other_names.append(PartnerName(name="Московский институт теплотехники"))
        session.flush()
        assert workflow.screen_partner(session, partner_id).matches == 1
        result = session.scalars(select(ScreeningResult)).one()
        assert result.partner_name_matched == "Московский институт теплотехники"


def test_screening_register(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "Beijing Institute of Technology", "BIT")
        workflow.screen_partner(session, partner_id)
    spec = registers.get("screening")
    with db.read() as session:
        query = registers.RegisterQuery(filters={"verdict": "pending"})
        assert registers.count(session, spec, query) == 1
        (row,) = registers.fetch(session, spec, query)
        values = dict(zip(["id", *(c.key for c in spec.columns)], row))
        assert values["partner"] == "Beijing Institute of Technology"
        assert values["list"] == "US Consolidated Screening List"
        assert values["version"] == 1
        assert values["score"] == 100
        assert values["verdict"] == "pending"
        text_query = registers.RegisterQuery(text="harbin")
        assert registers.count(session, spec, text_query) == 0


def test_a_verdict_given_by_mistake_can_be_reopened(db: Database) -> None:
    _load(db, FIXTURES / "us_csl.csv")
    with db.unit_of_work() as session:
        partner_id = add_partner(session, "NUDT")
        workflow.screen_partner(session, partner_id)
        (row,) = workflow.results_for_partner(session, partner_id)
        workflow.decide(session, row.id, "false_positive", "clicked the wrong button")
        # Reopening from a list that still showed the hit pending would undo a verdict unseen.
        with pytest.raises(ConflictError, match="marked this hit as a false positive"):
            workflow.reopen(session, row.id, seen_verdict="pending")
        workflow.reopen(session, row.id, seen_verdict="false_positive")
        (reopened,) = workflow.results_for_partner(session, partner_id)
    assert reopened.verdict == ScreeningVerdict.PENDING
    assert reopened.decided_by is None
    assert reopened.verdict_note is None
    with pytest.raises(ValidationError), db.unit_of_work() as session:
        workflow.decide(session, row.id, "pending", "no")


def test_run_summary_says_one_in_the_singular() -> None:
    from rsdesk.services.screening.workflow import RunSummary

    text = RunSummary(1, 1, 1, 1, 0, 1, 1).describe()
    assert text == (
        "screened 1 partner: 1 match, 1 new hit, 1 verdict carried over, 0 withdrawn; "
        "1 hit pending review, 1 confirmed match"
    )
    assert "2 confirmed matches" in RunSummary(2, 2, 2, 2, 0, 2, 2).describe()
