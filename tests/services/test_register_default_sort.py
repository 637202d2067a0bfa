"""Registers open on what matters now: newest collaborations, appraisals and log entries first,
while a sort the user names keeps its own direction."""

from __future__ import annotations

import pytest

from rsdesk.db import Database
from rsdesk.services import collaborations, registers
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.registers import RegisterQuery
from rsdesk.services.registers import base as register_base


def _references(any_db: Database, query: RegisterQuery, limit: int | None = None) -> list[str]:
    spec = registers.get("collaborations")
    with any_db.read() as session:
        ids = register_base.ordered_ids(session, spec, query, limit)
        rows = register_base.rows_for_ids(session, spec, ids)
        fetched = [row[1] for row in registers.fetch(session, spec, query, limit=limit)]
    shown = [row[1] for row in rows]
    assert shown == fetched  # the view's id paging and the listings agree
    return shown


@pytest.fixture
def five(any_db: Database) -> list[str]:
    with any_db.unit_of_work() as session:
        return [
            collaborations.create(session, CollaborationInput(f"Study {n}", "exchange")).reference
            for n in range(5)
        ]


def test_collaborations_open_newest_reference_first(any_db: Database, five: list[str]) -> None:
    newest_first = sorted(five, reverse=True)
    assert _references(any_db, RegisterQuery()) == newest_first
    assert _references(any_db, RegisterQuery(), limit=2) == newest_first[:2]


def test_a_named_sort_keeps_its_own_direction(any_db: Database, five: list[str]) -> None:
    assert _references(any_db, RegisterQuery(sort_key="reference")) == sorted(five)
    assert _references(any_db, RegisterQuery(sort_key="reference", descending=True)) == sorted(
        five, reverse=True
    )
    # "Descending" with no column (the command line's --desc alone) never turns it ascending.
    assert _references(any_db, RegisterQuery(descending=True)) == sorted(five, reverse=True)


@pytest.mark.parametrize(
    ("name", "column", "descending"),
    [
        ("collaborations", "reference", True),
        ("appraisals", "created_at", True),
        ("audit_log", "id", True),
        ("advice", "asked_on", True),
        ("training", "completed_on", True),
        ("screening", "score", True),
        # Due dates stay soonest first, names A to Z.
        ("measures", "due_date", False),
        ("onboarding", "due_date", False),
        ("partners", "name", False),
    ],
)
def test_each_register_has_the_default_order_that_fits_it(
    name: str, column: str, descending: bool
) -> None:
    spec = registers.get(name)
    assert register_base.sort_order(spec, RegisterQuery()) == (column, descending)


def test_the_audit_log_opens_on_its_latest_entry(any_db: Database, five: list[str]) -> None:
    spec = registers.get("audit_log")
    with any_db.read() as session:
        ids = register_base.ordered_ids(session, spec, RegisterQuery())
    assert ids == sorted(ids, reverse=True)
    assert len(ids) >= 5
