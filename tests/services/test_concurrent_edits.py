"""Two officers editing one record: the second save from a stale editor is refused, not merged.

Each officer is a separate ``Database`` (own engine, own connections, own actor) on the same
file or server database, as two rsdesk windows on a shared server are.
"""

from __future__ import annotations

import dataclasses
import threading

import pytest

from rsdesk.db import Database
from rsdesk.services import collaborations, partners
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.concurrency import ConflictError
from rsdesk.services.partners import PartnerInput


def _collaboration(db: Database) -> int:
    with db.unit_of_work() as session:
        return collaborations.create(
            session, CollaborationInput("Quantum sensing", "joint_research", description="Start.")
        ).id


def _load(db: Database, collaboration_id: int) -> collaborations.CollaborationDetail:
    with db.read() as session:
        return collaborations.load(session, collaboration_id)


def test_a_stale_collaboration_editor_is_refused_and_the_first_save_kept(two_officers):
    ann, bob = two_officers
    cid = _collaboration(ann)
    ann_sees, bob_sees = _load(ann, cid), _load(bob, cid)

    with ann.unit_of_work() as session:
        data = dataclasses.replace(ann_sees.as_input(), title="Ann's title")
        collaborations.update(session, cid, data, seen_version=ann_sees.row_version)
    with pytest.raises(ConflictError) as refused, bob.unit_of_work() as session:
        data = dataclasses.replace(bob_sees.as_input(), description="Bob's note.")
        collaborations.update(session, cid, data, seen_version=bob_sees.row_version)

    message = str(refused.value)
    assert message.startswith("adm_ann changed this collaboration on ")
    assert "your changes were not saved" in message
    assert "Reopen it" in message
    stored = _load(ann, cid)
    assert (stored.title, stored.description) == ("Ann's title", "Start.")
    # Reopened, Bob's editor has the new version and his change goes through.
    with bob.unit_of_work() as session:
        data = dataclasses.replace(stored.as_input(), description="Bob's note.")
        collaborations.update(session, cid, data, seen_version=stored.row_version)
    stored = _load(bob, cid)
    assert (stored.title, stored.description) == ("Ann's title", "Bob's note.")


def test_saves_within_one_second_are_told_apart(two_officers):
    """updated_at keeps whole seconds; the version does not depend on the clock."""
    ann, bob = two_officers
    cid = _collaboration(ann)
    bob_sees = _load(bob, cid)
    seen = bob_sees
    for title in ("One", "Two", "Three"):
        with ann.unit_of_work() as session:
            seen = collaborations.update(
                session,
                cid,
                dataclasses.replace(seen.as_input(), title=title),
                seen_version=seen.row_version,
            )
    assert seen.row_version > bob_sees.row_version
    with pytest.raises(ConflictError), bob.unit_of_work() as session:
        collaborations.update(session, cid, bob_sees.as_input(), seen_version=bob_sees.row_version)
    assert _load(bob, cid).title == "Three"


def test_a_change_of_partners_only_also_refuses_a_stale_save(two_officers):
    ann, bob = two_officers
    with ann.unit_of_work() as session:
        partner_id = partners.create(session, PartnerInput("Kyoto Lab", "university")).id
    cid = _collaboration(ann)
    ann_sees, bob_sees = _load(ann, cid), _load(bob, cid)
    with ann.unit_of_work() as session:
        data = dataclasses.replace(ann_sees.as_input(), partner_ids=(partner_id,))
        collaborations.update(session, cid, data, seen_version=ann_sees.row_version)
    with pytest.raises(ConflictError) as refused, bob.unit_of_work() as session:
        data = dataclasses.replace(bob_sees.as_input(), title="Bob's title")
        collaborations.update(session, cid, data, seen_version=bob_sees.row_version)
    # Only the link rows changed: no entry of the collaboration itself names who.
    assert str(refused.value).startswith("Someone in another session changed this collaboration")
    assert [p.id for p in _load(ann, cid).partners] == [partner_id]


def test_archiving_moves_the_version_so_a_stale_save_is_refused(two_officers):
    ann, bob = two_officers
    cid = _collaboration(ann)
    bob_sees = _load(bob, cid)
    with ann.unit_of_work() as session:
        collaborations.archive(session, cid)
    with (
        pytest.raises(ConflictError, match="adm_ann changed this collaboration"),
        bob.unit_of_work() as session,
    ):
        data = dataclasses.replace(bob_sees.as_input(), title="Bob's title")
        collaborations.update(session, cid, data, seen_version=bob_sees.row_version)
    assert _load(ann, cid).archived


def test_a_stale_partner_editor_is_refused(two_officers):
    ann, bob = two_officers
    with ann.unit_of_work() as session:
        pid = partners.create(session, PartnerInput("Kyoto Lab", "university", notes="N")).id
    with ann.read() as session:
        ann_sees = partners.load(session, pid)
    with bob.read() as session:
        bob_sees = partners.load(session, pid)
    with ann.unit_of_work() as session:
        data = dataclasses.replace(ann_sees.as_input(), city="Kyoto")
        partners.update(session, pid, data, seen_version=ann_sees.row_version)
    with (
        pytest.raises(ConflictError, match="^adm_ann changed this partner on "),
        bob.unit_of_work() as session,
    ):
        data = dataclasses.replace(bob_sees.as_input(), notes="Bob's note")
        partners.update(session, pid, data, seen_version=bob_sees.row_version)
    with bob.read() as session:
        stored = partners.load(session, pid)
    assert (stored.city, stored.notes) == ("Kyoto", "N")


def test_two_saves_at_the_same_moment_cannot_both_pass(two_officers):
    """Ann's save is still open when Bob's starts: Bob's waits for it and is then refused."""
    ann, bob = two_officers
    cid = _collaboration(ann)
    seen = _load(ann, cid)
    ann_in_transaction, ann_may_commit = threading.Event(), threading.Event()
    outcome: list[object] = []

    def ann_saves() -> None:
        with ann.unit_of_work() as session:
            data = dataclasses.replace(seen.as_input(), title="Ann's title")
            collaborations.update(session, cid, data, seen_version=seen.row_version)
            ann_in_transaction.set()
            ann_may_commit.wait(10)

    def bob_saves() -> None:
        try:
            with bob.unit_of_work() as session:
                data = dataclasses.replace(seen.as_input(), description="Bob's note.")
                collaborations.update(session, cid, data, seen_version=seen.row_version)
            outcome.append("saved")
        except ConflictError as error:
            outcome.append(error)

    first = threading.Thread(target=ann_saves)
    first.start()
    assert ann_in_transaction.wait(10)
    second = threading.Thread(target=bob_saves)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "Bob's save went ahead while Ann's was not committed"
    ann_may_commit.set()
    first.join(10)
    second.join(20)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    stored = _load(ann, cid)
    assert (stored.title, stored.description) == ("Ann's title", "Start.")


def test_the_staff_measure_and_asset_editors_refuse_a_stale_save_too(two_officers):
    from rsdesk.models import MitigationMeasure
    from rsdesk.services import assets, measures, staff
    from rsdesk.services.assets import AssetInput
    from rsdesk.services.measures import MeasureUpdate
    from rsdesk.services.staff import StaffInput

    ann, bob = two_officers
    cid = _collaboration(ann)
    with ann.unit_of_work() as session:
        person = staff.create(session, StaffInput("S-1", "Ada Lovelace", "researcher")).staff
        measure = MitigationMeasure(collaboration_id=cid, description="Data plan")
        session.add(measure)
        session.flush()
        measure_id = measure.id
        asset = assets.create_asset(session, AssetInput("Cleanroom", "lab", "sensitive"))
    with bob.read() as session:
        bob_measure = measures.load(session, measure_id)

    with ann.unit_of_work() as session:
        staff.update(
            session,
            person.id,
            dataclasses.replace(person.as_input(), email="ada@example.org"),
            seen_version=person.row_version,
        )
        measures.update(
            session, measure_id, MeasureUpdate("in_progress"), seen_version=bob_measure.row_version
        )
        assets.update_asset(
            session,
            asset.id,
            AssetInput("Cleanroom A", "lab", "sensitive"),
            seen_version=asset.row_version,
        )
    stale_saves = (
        lambda s: staff.update(
            s,
            person.id,
            dataclasses.replace(person.as_input(), research_area="Optics"),
            seen_version=person.row_version,
        ),
        lambda s: measures.update(
            s,
            measure_id,
            MeasureUpdate("planned", due_date=None),
            seen_version=bob_measure.row_version,
        ),
        lambda s: assets.update_asset(
            s,
            asset.id,
            AssetInput("Cleanroom", "lab", "sensitive", location="B2"),
            seen_version=asset.row_version,
        ),
    )
    for noun, save in zip(("staff member", "measure", "asset"), stale_saves):
        with (
            pytest.raises(ConflictError, match=f"^adm_ann changed this {noun} on "),
            bob.unit_of_work() as session,
        ):
            save(session)
    with bob.read() as session:
        assert staff.get(session, person.id).email == "ada@example.org"
        assert measures.load(session, measure_id).status == "in_progress"
        assert assets.get_asset(session, asset.id).name == "Cleanroom A"


def test_an_import_that_changes_the_record_also_refuses_a_stale_save(two_officers, tmp_path):
    """The collaborations import writes through the ORM, not through update()."""
    from rsdesk.services import importers

    ann, bob = two_officers
    cid = _collaboration(ann)
    bob_sees = _load(bob, cid)
    path = tmp_path / "collaborations.csv"
    path.write_text(
        f"Reference;Title;Kind\n{bob_sees.reference};Quantum sensing II;joint_research\n",
        encoding="utf-8",
    )
    with ann.unit_of_work() as session:
        _plan, result = importers.run_import(
            session, path, "csv", "collaborations", on_duplicate="update"
        )
    assert result is not None
    assert _load(ann, cid).title == "Quantum sensing II"
    with (
        pytest.raises(ConflictError, match="^adm_ann changed this collaboration"),
        bob.unit_of_work() as session,
    ):
        data = dataclasses.replace(bob_sees.as_input(), description="Bob's note.")
        collaborations.update(session, cid, data, seen_version=bob_sees.row_version)
    assert _load(ann, cid).title == "Quantum sensing II"


def test_a_stale_advice_editor_is_refused(two_officers):
    import datetime as dt

    from rsdesk.services import advice
    from rsdesk.services.advice import AdviceInput

    ann, bob = two_officers
    asked = AdviceInput(dt.date.today(), "Dr Ada Lovelace", "May we share the wafer design?")
    with ann.unit_of_work() as session:
        request = advice.log_request(session, asked)
    with bob.read() as session:
        bob_sees = advice.get(session, request.id)

    with ann.unit_of_work() as session:
        advice.close_request(session, request.id, "Share it after the export-control check.")
    with (
        pytest.raises(ConflictError, match="^adm_ann changed this advice request on "),
        bob.unit_of_work() as session,
    ):
        stale = dataclasses.replace(asked, question="May we share the wafer design and masks?")
        advice.update_request(session, request.id, stale, seen_version=bob_sees.row_version)
    with bob.read() as session:
        stored = advice.get(session, request.id)
    assert stored.advice == "Share it after the export-control check."
    assert stored.question == asked.question
    assert stored.closed_on == dt.date.today()


def test_starting_and_discarding_a_draft_refuse_an_editor_opened_before(two_officers):
    """A draft's first save moves a proposal to "under appraisal", its discard moves it back: an
    editor loaded before either would put the old status back, so its save is refused."""
    from rsdesk.services.appraisal import workflow

    ann, bob = two_officers
    cid = _collaboration(ann)
    before_draft = _load(bob, cid)
    assert before_draft.status == "proposed"
    with ann.unit_of_work() as session:
        draft = workflow.create_draft(session, cid)
    with pytest.raises(ConflictError), bob.unit_of_work() as session:
        data = dataclasses.replace(before_draft.as_input(), description="Bob's note.")
        collaborations.update(session, cid, data, seen_version=before_draft.row_version)
    assert _load(ann, cid).status == "under_appraisal"

    before_discard = _load(bob, cid)
    with ann.unit_of_work() as session:
        workflow.discard_draft(session, draft.id)
    with pytest.raises(ConflictError), bob.unit_of_work() as session:
        data = dataclasses.replace(before_discard.as_input(), description="Bob's note.")
        collaborations.update(session, cid, data, seen_version=before_discard.row_version)
    stored = _load(ann, cid)
    assert (stored.status, stored.description) == ("proposed", "Start.")
