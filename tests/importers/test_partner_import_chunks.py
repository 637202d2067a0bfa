"""Importing many partners: created and screened in chunks, with the same outcome as one by one.

The import creates new partners through ``partners.create_many`` (a flush and a screening pass
per chunk); these tests cross a chunk boundary and check the records, the screening hits, the
audit trail and the all-or-nothing rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from rsdesk.db import Database
from rsdesk.models import (
    Collaboration,
    CollaborationPartner,
    Partner,
    PartnerName,
    ScreeningResult,
)
from rsdesk.services import audit, importers, partners
from rsdesk.services.errors import ValidationError
from rsdesk.services.importers import common
from rsdesk.services.importers import partners as partner_import
from rsdesk.services.screening import lists
from tests.importers.conftest import file_digest
from tests.services.screening.conftest import FIXTURES

FILLERS = partner_import.CREATE_CHUNK + 20


def _csv(tmp_path: Path, extra: str = "") -> Path:
    lines = ["Name,Kind,Country,Other names"]
    lines += [f"Filler Institute {n},research_institute,DE," for n in range(FILLERS)]
    # In the second chunk: a listed institution under its short name and its native name.
    lines.append("Harbin Inst. of Technology,university,CN,哈尔滨工业大学")
    lines.append("Technical University of Munich,university,DE,TUM")
    path = tmp_path / "partners.csv"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def test_many_partners_are_created_and_screened_like_one_by_one(
    any_db: Database, tmp_path: Path
) -> None:
    with any_db.unit_of_work() as session:
        lists.load_file(session, FIXTURES / "us_csl.csv")
    with any_db.unit_of_work() as session:
        _plan, result = importers.run_import(session, _csv(tmp_path), "csv", "partners")
    assert result is not None
    assert result.created == FILLERS + 2
    with any_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Partner)) == FILLERS + 2
        harbin = session.scalar(select(Partner).where(Partner.name.like("Harbin%")))
        assert harbin is not None
        assert [n.name for n in harbin.other_names] == ["哈尔滨工业大学"]
        hits = session.scalars(select(ScreeningResult)).all()
        assert [(hit.partner_id, hit.entry_name) for hit in hits] == [
            (harbin.id, "Harbin Institute of Technology")
        ]
        assert session.scalar(select(func.count()).select_from(PartnerName)) == 2
        assert audit.verify(session).ok


def test_a_partner_the_service_refuses_in_a_later_chunk_writes_nothing(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path)
    # The plan accepts every row; make the service refuse one near the end, as a rule the
    # importer does not check itself would.
    original = partners._validate

    def refuse_munich(data: partners.PartnerInput) -> dict[str, object]:
        if data.name.startswith("Technical University of Munich"):
            raise ValidationError("Refused for the test.", field="name")
        return original(data)

    monkeypatch.setattr(partners, "_validate", refuse_munich)
    before = file_digest(db_path)
    refused = pytest.raises(ValidationError, match=f"row {FILLERS + 3}: Refused")
    with refused, db.unit_of_work() as session:
        importers.run_import(session, path, "csv", "partners")
    db.dispose()
    assert file_digest(db_path) == before


def test_create_many_names_the_position_of_the_first_invalid_input(db: Database) -> None:
    inputs = [
        partners.PartnerInput("Good University", "university"),
        partners.PartnerInput("Bad Country", "university", country="Germany"),
    ]
    with db.unit_of_work() as session:
        with pytest.raises(partners.InvalidInput) as caught:
            partners.create_many(session, inputs)
        assert caught.value.position == 1
        assert caught.value.field == "country"
        assert session.scalar(select(func.count()).select_from(Partner)) == 0


def test_partners_new_to_a_collaboration_import_are_created_in_chunks_and_screened(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partners a collaborations file names and the register lacks go through the same
    chunked creation (kind "other", screened): one by one they took most of a large import."""
    monkeypatch.setattr(common, "CREATE_CHUNK", 2)
    with db.unit_of_work() as session:
        lists.load_file(session, FIXTURES / "us_csl.csv")
    lines = ["Title,Kind,Partners"]
    lines += [f"Study {n},exchange,Filler Institute {n}" for n in range(4)]
    lines.append("Study 4,exchange,Harbin Institute of Technology; Filler Institute 0")
    path = tmp_path / "collaborations.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, path, "csv", "collaborations")
    assert result is not None
    assert result.created == 5
    with db.read() as session:
        created = session.execute(select(Partner.name, Partner.kind).order_by(Partner.id)).all()
        assert [name for name, _ in created] == [
            *(f"Filler Institute {n}" for n in range(4)),
            "Harbin Institute of Technology",
        ]
        assert {kind.value for _, kind in created} == {"other"}
        links = session.execute(
            select(Collaboration.title, Partner.name)
            .join(CollaborationPartner, CollaborationPartner.collaboration_id == Collaboration.id)
            .join(Partner, Partner.id == CollaborationPartner.partner_id)
            .order_by(Collaboration.title, Partner.name)
        ).all()
        assert links == [
            *((f"Study {n}", f"Filler Institute {n}") for n in range(4)),
            ("Study 4", "Filler Institute 0"),
            ("Study 4", "Harbin Institute of Technology"),
        ]
        hits = session.execute(
            select(Partner.name, ScreeningResult.entry_name).join(
                ScreeningResult, ScreeningResult.partner_id == Partner.id
            )
        ).all()
        assert hits == [("Harbin Institute of Technology", "Harbin Institute of Technology")]
        assert audit.verify(session).ok
