"""Constraints live in the schema, so no writer (import, script, bug) can break them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from rsdesk.models import Collaboration, Partner, StaffMember, TechnologyArea
from rsdesk.models.enums import CollaborationKind, PartnerKind, RoleCategory


def _add(db, record):
    with db.unit_of_work() as session:
        session.add(record)


def test_end_date_before_start_date_is_refused(any_db):
    with pytest.raises(IntegrityError):
        _add(
            any_db,
            Collaboration(
                reference="C-1",
                title="t",
                kind=CollaborationKind.EXCHANGE,
                start_date=dt.date(2025, 5, 1),
                end_date=dt.date(2025, 4, 1),
            ),
        )


def test_negative_funding_is_refused(any_db):
    with pytest.raises(IntegrityError):
        _add(
            any_db,
            Collaboration(
                reference="C-1", title="t", kind=CollaborationKind.EXCHANGE, funding_amount_eur=-5
            ),
        )


def test_unknown_enum_value_is_refused(any_db):
    with pytest.raises((StatementError, LookupError)):
        _add(any_db, Partner(name="x", kind="pirate"))


def test_unknown_enum_value_written_as_raw_sql_is_refused_by_the_check(any_db):
    from sqlalchemy import text

    with pytest.raises(IntegrityError), any_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO partner (name, kind, archived, created_at, updated_at) "
                "VALUES ('x', 'pirate', false, '2025-01-01', '2025-01-01')"
            )
        )


def test_foreign_keys_are_enforced(any_db):
    with pytest.raises(IntegrityError):
        _add(
            any_db,
            StaffMember(
                staff_number="1",
                full_name="A",
                department_id=12345,
                role_category=RoleCategory.RESEARCHER,
            ),
        )


def test_unique_staff_number(any_db):
    _add(any_db, StaffMember(staff_number="7", full_name="A", role_category=RoleCategory.POSTDOC))
    with pytest.raises(IntegrityError):
        _add(
            any_db, StaffMember(staff_number="7", full_name="B", role_category=RoleCategory.POSTDOC)
        )


def test_reference_data_is_loaded_from_resources(any_db):
    with any_db.read() as session:
        areas = session.query(TechnologyArea).order_by(TechnologyArea.sort_order).all()
    assert len(areas) == 10
    assert [a.most_sensitive for a in areas[:4]] == [True] * 4
    assert not any(a.most_sensitive for a in areas[4:])


def test_partner_kind_values_are_stored_as_text(any_db):
    _add(any_db, Partner(name="Institut Pasteur", kind=PartnerKind.RESEARCH_INSTITUTE))
    from sqlalchemy import text

    with any_db.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT kind FROM partner")).scalar_one()
            == "research_institute"
        )


def test_enum_checks_compare_value_by_value_instead_of_an_in_list(db):
    """SQLite builds a temporary index of an IN list for every row it writes (0.5-1 s of a
    100,000-collaboration import); the comparisons mean the same and cost microseconds."""
    from rsdesk.models.base import Base, _CheckedEnum

    with db.engine.connect() as connection:
        schema = "\n".join(
            sql
            for (sql,) in connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
            )
        )
    checked = 0
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, _CheckedEnum):
                values = column.type.enums
                assert f"{column.name} IN (" not in schema
                comparisons = " OR ".join(f"{column.name} = '{value}'" for value in values)
                assert f"CHECK ({comparisons})" in schema
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize("level", ["low", "very_high", None])
def test_an_enum_check_accepts_its_values_and_null(any_db, level):
    from sqlalchemy import text

    _add(any_db, Collaboration(reference="C-1", title="t", kind=CollaborationKind.EXCHANGE))
    with any_db.engine.begin() as connection:
        connection.execute(text("UPDATE collaboration SET risk_level = :level"), {"level": level})
    with pytest.raises(IntegrityError), any_db.engine.begin() as connection:
        connection.execute(text("UPDATE collaboration SET risk_level = 'extreme'"))
