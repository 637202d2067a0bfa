"""The collaboration write services on SQLite and PostgreSQL: rules, links, audit, attachments."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from rsdesk.db import Database
from rsdesk.db.trailguard import ChangedOutsideRsdesk
from rsdesk.models import Attachment, Department, StaffMember, TechnologyArea
from rsdesk.models.enums import PartnerKind, RoleCategory
from rsdesk.services import audit
from rsdesk.services import collaborations as service
from rsdesk.services import partners as partner_service
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.errors import NotFoundError, ReadOnlyError, ValidationError
from rsdesk.services.partners import PartnerInput


def _partners(db: Database, *names: str) -> list[int]:
    with db.unit_of_work() as session:
        return [
            partner_service.create(session, PartnerInput(name, PartnerKind.UNIVERSITY, "JP")).id
            for name in names
        ]


def _input(**values: object) -> CollaborationInput:
    base: dict[str, object] = {"title": "Quantum sensing exchange", "kind": "joint_research"}
    base.update(values)
    return CollaborationInput(**base)  # type: ignore[arg-type]


def test_create_generates_sequential_references_and_links(any_db: Database) -> None:
    first_partner, second_partner = _partners(any_db, "Kyoto Institute", "Osaka Lab")
    with any_db.unit_of_work() as session:
        tech = session.scalars(select(TechnologyArea.code)).first()
        one = service.create(
            session,
            _input(
                partner_ids=(first_partner, second_partner),
                technology_codes=(tech,) if tech else (),
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2027, 1, 1),
                funding_amount_eur=120_000,
            ),
        )
        two = service.create(session, _input(title="Second"))
    year = dt.date.today().year
    assert one.reference == f"C-{year}-00001"
    assert two.reference == f"C-{year}-00002"
    assert [p.name for p in one.partners] == ["Kyoto Institute", "Osaka Lab"]
    assert one.technology_codes == ((tech,) if tech else ())
    with any_db.read() as session:
        again = service.load(session, one.id)
    assert again.funding_amount_eur == 120_000
    assert again.status == "proposed"
    assert again.end_date == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": ""}, "kind"),
        ({"kind": "picnic"}, "kind"),
        ({"start_date": dt.date(2026, 5, 2), "end_date": dt.date(2026, 5, 1)}, "end_date"),
        ({"funding_amount_eur": -1}, "funding_amount_eur"),
        ({"partner_ids": (987654,)}, "partner_ids"),
        ({"technology_codes": ("no-such-area",)}, "technology_codes"),
        ({"department_id": 987654}, "department_id"),
    ],
)
def test_validation_names_the_field_and_writes_nothing(
    any_db: Database, values: dict[str, object], field: str
) -> None:
    with any_db.read() as session:
        before = audit.entry_count(session)  # the training catalogue, put in on opening
    with pytest.raises(ValidationError) as caught, any_db.unit_of_work() as session:
        service.create(session, _input(**values))
    assert caught.value.field == field
    assert "\n" not in str(caught.value)
    with any_db.read() as session:
        assert audit.entry_count(session) == before


def test_update_replaces_partners_and_is_audited(any_db: Database) -> None:
    a, b, c = _partners(any_db, "Alpha University", "Beta Institute", "Gamma Corp")
    with any_db.unit_of_work() as session:
        created = service.create(session, _input(partner_ids=(a, b)))
    with any_db.unit_of_work() as session:
        changed = service.update(
            session,
            created.id,
            _input(title="Quantum sensing exchange, phase 2", partner_ids=(b, c), status="active"),
        )
    assert [p.name for p in changed.partners] == ["Beta Institute", "Gamma Corp"]
    assert changed.status == "active"
    with any_db.read() as session:
        items = audit.history(session, "collaboration", created.id)
    assert [item.action for item in items] == ["insert", "update"]
    fields = {name: (old, new) for name, old, new in items[1].changes}
    assert fields["title"] == ("Quantum sensing exchange", "Quantum sensing exchange, phase 2")
    assert fields["status"] == ("proposed", "active")


def test_update_without_changes_writes_no_entry(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
    with any_db.unit_of_work() as session:
        service.update(session, created.id, created.as_input())
    with any_db.read() as session:
        assert [i.action for i in audit.history(session, "collaboration", created.id)] == ["insert"]


def test_archive_and_unarchive(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
    with any_db.unit_of_work() as session:
        assert service.archive(session, created.id).archived is True
    with any_db.unit_of_work() as session:
        assert service.unarchive(session, created.id).archived is False
    with any_db.read() as session:
        items = audit.history(session, "collaboration", created.id)
    assert [dict((n, new) for n, _o, new in i.changes).get("archived") for i in items[1:]] == [
        True,
        False,
    ]


def test_unknown_collaboration(any_db: Database) -> None:
    with pytest.raises(NotFoundError), any_db.read() as session:
        service.load(session, 424242)


def test_lead_and_department_are_shown_by_name(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        department = Department(name="Physics")
        session.add(department)
        session.flush()
        lead = StaffMember(
            staff_number="S1",
            full_name="Ada Example",
            department_id=department.id,
            role_category=RoleCategory.PROFESSOR,
        )
        session.add(lead)
        session.flush()
        created = service.create(
            session, _input(department_id=department.id, lead_staff_id=lead.id)
        )
    assert (created.department, created.lead) == ("Physics", "Ada Example")


def test_attachments_keep_hash_and_refuse_tampering(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
    content = b"%PDF-1.4 agreement text"
    with any_db.unit_of_work() as session:
        info = service.add_attachment(session, created.id, "C:\\docs\\agreement.pdf", content)
    assert info.file_name == "agreement.pdf"
    assert info.media_type == "application/pdf"
    assert info.size_bytes == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()
    with any_db.read() as session:
        got_info, got = service.attachment_content(session, info.id)
        assert got == content
        assert service.load(session, created.id).attachments == (got_info,)
    with any_db.engine.begin() as connection:
        connection.execute(
            update(Attachment).where(Attachment.id == info.id).values(content=b"forged")
        )
    with pytest.raises(ValidationError, match="altered"), any_db.read() as session:
        service.attachment_content(session, info.id)
    # Removing it would erase the evidence of the forgery: refused, the attachment stays.
    refused = pytest.raises(ChangedOutsideRsdesk, match=r"attachment \d+ was changed outside")
    with refused, any_db.unit_of_work() as session:
        service.remove_attachment(session, info.id)
    with any_db.read() as session:
        assert [a.id for a in service.attachments(session, created.id)] == [info.id]
        assert [i.action for i in audit.history(session, "attachment", info.id)] == ["insert"]


def test_archived_collaboration_keeps_its_attachments(any_db: Database) -> None:
    """An archived record is evidence: a tester removed its attachment, deleting the file for good."""
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
        kept = service.add_attachment(session, created.id, "agreement.pdf", b"%PDF-1.4 signed")
        service.archive(session, created.id)
    refused = pytest.raises(ReadOnlyError, match="archived and kept as evidence")
    with refused, any_db.unit_of_work() as session:
        service.remove_attachment(session, kept.id)
    refused = pytest.raises(ReadOnlyError, match="archived and kept as evidence")
    with refused, any_db.unit_of_work() as session:
        service.add_attachment(session, created.id, "late.pdf", b"%PDF-1.4 late")
    with any_db.read() as session:
        assert service.attachments(session, created.id) == [kept]
        assert service.attachment_content(session, kept.id)[1] == b"%PDF-1.4 signed"
        assert [i.action for i in audit.history(session, "attachment", kept.id)] == ["insert"]
    with any_db.unit_of_work() as session:
        service.unarchive(session, created.id)
        service.remove_attachment(session, kept.id)
    with any_db.read() as session:
        assert service.attachments(session, created.id) == []


def test_attachment_size_limit(any_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "MAX_ATTACHMENT_BYTES", 10)
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
    with pytest.raises(ValidationError, match="limited to") as caught, any_db.unit_of_work() as s:
        service.add_attachment(s, created.id, "big.bin", b"x" * 11)
    assert caught.value.field == "content"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("..", "is not a file name"),
        ("", "needs a file name"),
        ("notes\x07.txt", "control characters"),
        ("é" * 200 + ".pdf", "longer than 255 bytes"),
    ],
)
def test_the_service_refuses_names_that_cannot_be_written_out(
    any_db: Database, name: str, reason: str
) -> None:
    """Scripts reach the service without the editor's checks: a tester stored '..', which then
    crashed Open; a long name used to be cut at 255 characters, dropping its extension."""
    with any_db.unit_of_work() as session:
        created = service.create(session, _input())
    with pytest.raises(ValidationError, match=reason) as caught, any_db.unit_of_work() as s:
        service.add_attachment(s, created.id, name, b"content")
    assert caught.value.field == "file_name"
    with any_db.read() as session:
        assert service.attachments(session, created.id) == []
