"""A bulk unit of work checks foreign keys once before the commit instead of row by row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from rsdesk.db import Database, foreign_keys
from rsdesk.models import Collaboration, CollaborationPartner, Department, Partner
from rsdesk.models.enums import CollaborationKind, PartnerKind
from rsdesk.services import audit, importers
from rsdesk.services.errors import KnownError
from tests.importers.conftest import file_digest, write_xlsx


def _enforced(session: object) -> int:
    return int(session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar())  # type: ignore[attr-defined]


def _linked(db: Database) -> tuple[int, int]:
    """A collaboration with one partner; returns (collaboration id, partner id)."""
    with db.unit_of_work() as session:
        partner = Partner(name="Linked University", kind=PartnerKind.UNIVERSITY)
        collaboration = Collaboration(
            reference="C-LINK", title="Linked study", kind=CollaborationKind.EXCHANGE
        )
        session.add_all([partner, collaboration])
        session.flush()
        session.add(CollaborationPartner(collaboration_id=collaboration.id, partner_id=partner.id))
        session.flush()
        return collaboration.id, partner.id


def test_enforcement_is_off_only_inside_the_bulk_unit_of_work(db: Database) -> None:
    with db.unit_of_work(bulk=True) as session:
        assert _enforced(session) == 0
    with db.unit_of_work() as session:
        assert _enforced(session) == 1
    with db.read() as session:
        assert _enforced(session) == 1
    with db.unit_of_work(bulk=True):
        pass
    raw = db.engine.raw_connection()  # back in the pool: on again, whoever takes it next
    try:
        assert raw.cursor().execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        raw.close()


def test_a_dangling_reference_written_in_bulk_is_refused_and_nothing_is_written(
    db: Database, db_path: Path
) -> None:
    collaboration_id, _ = _linked(db)
    db.dispose()
    before = file_digest(db_path)
    refused = pytest.raises(KnownError, match="collaboration_partner would refer to a partner")
    with refused, db.unit_of_work(bulk=True) as session:
        session.add(Department(name="Written before the bad link"))
        session.execute(
            text(
                "INSERT INTO collaboration_partner (collaboration_id, partner_id, role, "
                "created_at, updated_at, row_version) "
                "VALUES (:c, 987654, 'partner', '2026-01-01', '2026-01-01', 1)"
            ),
            {"c": collaboration_id},
        )
    db.dispose()
    assert file_digest(db_path) == before
    # and the next writer is checked row by row again
    with db.unit_of_work() as session, pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE collaboration SET department_id = 987654 WHERE id = :c"),
            {"c": collaboration_id},
        )


def test_a_parent_deleted_in_bulk_while_still_referred_to_is_refused(db: Database) -> None:
    _, partner_id = _linked(db)
    refused = pytest.raises(KnownError, match="collaboration_partner would refer to a partner")
    with refused, db.unit_of_work(bulk=True) as session:
        session.execute(text("DELETE FROM partner WHERE id = :p"), {"p": partner_id})
    with db.read() as session:
        assert session.get(Partner, partner_id) is not None


def test_a_large_import_goes_through_the_bulk_check(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: object
) -> None:
    monkeypatch.setattr(importers, "BULK_ROWS", 30)
    checked: list[set[str]] = []
    check = foreign_keys.check

    def recording_check(connection: object) -> None:
        written = connection.info.get("rsdesk_tables_written") or set()  # type: ignore[attr-defined]
        checked.append({table for table, _ in written})
        check(connection)  # type: ignore[arg-type]

    monkeypatch.setattr(foreign_keys, "check", recording_check)
    rows: list[list[object]] = [["Title", "Kind", "Partners"]]
    rows += [[f"Study {i}", "exchange", f"Partner {i % 4}"] for i in range(40)]
    path = write_xlsx(tmp_path / "studies.xlsx", rows)
    db.dispose()
    code, _out, err = cli("import", "xlsx", str(path), "--what", "collaborations")  # type: ignore[operator]
    assert code == 0, err
    assert checked
    assert {"collaboration", "collaboration_partner", "partner"} <= checked[0]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CollaborationPartner)) == 40
        assert audit.verify(session).ok


def test_statements_name_the_tables_they_change() -> None:
    match = foreign_keys._WRITE.match
    assert match('INSERT INTO "order" (a) VALUES (1)').group(5) == "order"  # type: ignore[union-attr]
    assert match("INSERT OR REPLACE INTO partner VALUES (1)").group(2) == "REPLACE"  # type: ignore[union-attr]
    assert match("  update staff_member SET x = 1").group(6) == "staff_member"  # type: ignore[union-attr]
    assert match("DELETE FROM partner_name WHERE id = 1").group(6) == "partner_name"  # type: ignore[union-attr]
    assert match("SELECT 1 FROM partner") is None


def test_a_dangling_update_in_bulk_is_refused_on_every_database(any_db: Database) -> None:
    """SQLite finds it before the commit; a server at the statement, as always."""
    collaboration_id, _ = _linked(any_db)
    refused = KnownError if any_db.is_sqlite else IntegrityError
    with pytest.raises(refused), any_db.unit_of_work(bulk=True) as session:
        session.execute(
            text("UPDATE collaboration SET department_id = 987654 WHERE id = :c"),
            {"c": collaboration_id},
        )
    with any_db.read() as session:
        assert session.get(Collaboration, collaboration_id).department_id is None  # type: ignore[union-attr]
