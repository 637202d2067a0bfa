"""The id-list paging the table views use gives exactly the rows and order of ``fetch``."""

from __future__ import annotations

import pytest

from rsdesk.db import Database
from rsdesk.services import collaborations, registers
from rsdesk.services.collaborations import CollaborationInput
from rsdesk.services.registers import RegisterQuery
from rsdesk.services.registers import base as register_base


@pytest.mark.parametrize(
    "query",
    [
        RegisterQuery(),
        RegisterQuery(text="study 1"),
        RegisterQuery(sort_key="title", descending=True),
        RegisterQuery(sort_key="funding_amount_eur"),
        RegisterQuery(sort_key="start_date", descending=True),
        RegisterQuery(filters={"kind": "exchange"}, sort_key="status"),
        # Sorting by a joined table's column keeps the join (no slimmed ids query).
        RegisterQuery(sort_key="department", descending=True),
        RegisterQuery(text="STUDY 2", sort_key="partners"),
    ],
)
def test_ordered_ids_and_rows_match_fetch(any_db: Database, query: RegisterQuery) -> None:
    with any_db.unit_of_work() as session:
        for number in range(30):
            collaborations.create(
                session,
                CollaborationInput(
                    f"Study {number}",
                    ("exchange", "joint_research")[number % 2],
                    funding_amount_eur=None if number % 3 == 0 else (number * 7919) % 1000,
                ),
            )
    spec = registers.get("collaborations")
    with any_db.read() as session:
        expected = registers.fetch(session, spec, query)
        ids = register_base.ordered_ids(session, spec, query)
        rows = register_base.rows_for_ids(session, spec, ids[5:17])
        assert len(ids) == registers.count(session, spec, query)
    assert ids == [row[0] for row in expected]
    assert rows == expected[5:17]
