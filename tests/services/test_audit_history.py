"""A record's history in words: labels, enum labels, the names of referenced records, dates,
booleans and amounts, with the stored values still at hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from rsdesk.models import Department, StaffMember
from rsdesk.models.enums import RoleCategory
from rsdesk.services import audit_history, collaborations
from rsdesk.services.collaborations import CollaborationInput


def _people(db) -> tuple[int, int, int]:
    with db.unit_of_work() as session:
        physics = Department(name="Physics")
        chemistry = Department(name="Chemistry")
        lead = StaffMember(
            staff_number="S-15", full_name="Åsa Berg", role_category=RoleCategory.RESEARCHER
        )
        session.add_all([physics, chemistry, lead])
        session.flush()
        return physics.id, chemistry.id, lead.id


def test_history_reads_in_words(any_db):
    physics, chemistry, lead = _people(any_db)
    with any_db.unit_of_work() as session:
        created = collaborations.create(
            session,
            CollaborationInput(
                title="Quantum sensing",
                kind="funding_application",
                department_id=physics,
                start_date=dt.date(2026, 6, 1),
                funding_amount_eur=250_000,
            ),
        )
    with any_db.unit_of_work() as session:
        collaborations.update(
            session,
            created.id,
            CollaborationInput(
                title="Quantum sensing",
                kind="funding_application",
                status="approved",
                department_id=chemistry,
                lead_staff_id=lead,
                start_date=dt.date(2026, 6, 1),
                funding_amount_eur=250_000,
            ),
        )
        collaborations.archive(session, created.id)
    # The lead is renamed (anonymising does the same): the history names them as they are now.
    with any_db.unit_of_work() as session:
        session.get(StaffMember, lead).full_name = "Person 7F3A"

    with any_db.read() as session:
        entries = audit_history.readable_history(
            session, "collaboration", created.id, "Collaboration"
        )

    assert [e.action for e in entries] == ["insert", "update", "update"]
    assert entries[0].subject == "Collaboration"
    first = {c.label: c.new for c in entries[0].changes}
    assert first["Kind"] == "Funding application"
    assert first["Department"] == "Physics"
    assert first["Start"] == "2026-06-01"
    assert first["Funding (EUR)"] == "250,000"
    assert first["Status"] == "Proposed"
    edit = {c.label: (c.old, c.new) for c in entries[1].changes}
    assert edit == {
        "Status": ("Proposed", "Approved"),
        "Department": ("Physics", "Chemistry"),
        "Lead staff": ("—", "Person 7F3A"),
    }
    assert entries[2].changes[0].label == "Archived"
    assert (entries[2].changes[0].old, entries[2].changes[0].new) == ("No", "Yes")
    # The stored values stay available for whoever needs them.
    lead_change = entries[1].change("lead_staff_id")
    assert lead_change is not None
    assert (lead_change.old_value, lead_change.new_value) == (None, lead)
    shown = " ".join(f"{c.label} {c.old} {c.new}" for e in entries for c in e.changes)
    assert "_id" not in shown
    assert "Åsa" not in shown


def test_a_reference_to_a_record_that_is_gone_says_so(any_db):
    physics, _chemistry, _lead = _people(any_db)
    with any_db.unit_of_work() as session:
        created = collaborations.create(
            session, CollaborationInput(title="Sensors", kind="joint_research")
        )
    with any_db.read() as session:
        items = audit_history.audit.history(session, "collaboration", created.id)
        moved = [
            audit_history.audit.HistoryItem(
                item.entry_id, item.at, item.actor, "update", (("department_id", physics, 999),)
            )
            for item in items
        ]
        entries = audit_history.describe(session, "collaboration", moved)
    change = entries[0].changes[0]
    assert (change.label, change.old, change.new) == (
        "Department",
        "Physics",
        "Department 999 (no longer exists)",
    )


def test_an_entry_for_the_audit_log_view_redacts_only_the_secret(any_db):
    from rsdesk.models import AuditEntry, Setting
    from rsdesk.services import pseudonyms
    from rsdesk.services.errors import NotFoundError
    from rsdesk.services.reports.xlsx.audit_privacy import REDACTED

    with any_db.unit_of_work() as session:
        pseudonyms.ensure_secret(session)
        session.add(Setting(key="ui.greeting", value="hello"))
    with any_db.read() as session:
        ids = session.scalars(
            select(AuditEntry.id).where(AuditEntry.table_name == "setting").order_by(AuditEntry.id)
        ).all()
        shown = [audit_history.entry_changes(session, entry_id) for entry_id in ids]
        with pytest.raises(NotFoundError):
            audit_history.entry_changes(session, 10_000)
    by_key = {changes["key"][1]: changes for changes in shown}
    assert by_key[pseudonyms.SECRET_KEY]["value"] == [None, REDACTED]
    assert by_key["ui.greeting"]["value"] == [None, "hello"]


def test_a_reference_to_a_record_without_a_name_reads_as_its_kind_and_number(any_db):
    from rsdesk.models import Appraisal

    with any_db.unit_of_work() as session:
        created = collaborations.create(
            session, CollaborationInput(title="Sensors", kind="joint_research")
        )
        appraisal = Appraisal(collaboration_id=created.id, model_id="m", model_version="1")
        session.add(appraisal)
        session.flush()
        appraisal_id = appraisal.id
    with any_db.read() as session:
        item = audit_history.audit.HistoryItem(
            1,
            dt.datetime(2026, 1, 1),
            "me",
            "update",
            (("previous_appraisal_id", None, appraisal_id),),
        )
        change = audit_history.describe(session, "appraisal", [item])[0].changes[0]
    assert (change.label, change.new) == ("Previous appraisal", f"Appraisal {appraisal_id}")


def test_partners_and_technology_areas_added_and_removed_are_in_the_history(any_db):
    """A tester saw no trace in a collaboration's History of a partner taken off it: the links
    live in their own tables. Removed links are found through their delete entries."""
    from rsdesk.services import partners
    from rsdesk.services.partners import PartnerInput

    with any_db.unit_of_work() as session:
        acme = partners.create(session, PartnerInput("Acme Photonics", "company", "DE")).id
        kyoto = partners.create(session, PartnerInput("Kyoto Marine Lab", "company", "JP")).id
        data = CollaborationInput(
            title="Quantum sensing",
            kind="joint_research",
            partner_ids=(acme,),
            technology_codes=("quantum",),
        )
        created = collaborations.create(session, data).id
        other = collaborations.create(
            session, CollaborationInput("Other", "joint_research", partner_ids=(acme,))
        ).id
    with any_db.unit_of_work() as session:
        collaborations.update(
            session, created, replace(data, partner_ids=(kyoto,), technology_codes=())
        )
        collaborations.update(  # the other collaboration's links are not this one's history
            session, other, CollaborationInput("Other", "joint_research", partner_ids=(kyoto,))
        )

    def lines(collaboration_id: int) -> list[tuple[str, str]]:
        with any_db.read() as session:
            entries = [
                entry
                for table, noun in (
                    ("collaboration_partner", "Partner"),
                    ("collaboration_technology", "Technology area"),
                )
                for entry in audit_history.link_history(
                    session, table, "collaboration_id", collaboration_id, noun
                )
            ]
        return sorted((entry.subject, entry.what) for entry in entries)

    assert lines(created) == [
        ("Partner Acme Photonics", "added"),
        ("Partner Acme Photonics", "removed"),
        ("Partner Kyoto Marine Lab", "added"),
        ("Technology area Quantum technologies", "added"),
        ("Technology area Quantum technologies", "removed"),
    ]
    assert lines(other) == [
        ("Partner Acme Photonics", "added"),
        ("Partner Acme Photonics", "removed"),
        ("Partner Kyoto Marine Lab", "added"),
    ]
