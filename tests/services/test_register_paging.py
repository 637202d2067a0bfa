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
                    # Gaps and ties, so that NULLS LAST and the id tie-break are both exercised.
                    funding_amount_eur=None if number % 3 == 0 else (number % 4) * 1000,
                ),
            )
    spec = registers.get("collaborations")
    with any_db.read() as session:
        expected = registers.fetch(session, spec, query)
        ids = register_base.ordered_ids(session, spec, query)
        rows = register_base.rows_for_ids(session, spec, ids[5:17])
        assert len(ids) == registers.count(session, spec, query)
        # The first page alone, as the view reads it before the count, is the same prefix.
        firsts = {
            limit: register_base.ordered_ids(session, spec, query, limit)
            for limit in (1, 4, 13, 25, 40)
        }
    assert ids == [row[0] for row in expected]
    assert rows == expected[5:17]
    for limit, first in firsts.items():
        assert first == ids[:limit], limit


def test_a_cancelled_read_stops_with_query_cancelled(any_db: Database) -> None:
    with any_db.unit_of_work() as session:
        for number in range(5):
            collaborations.create(session, CollaborationInput(f"Study {number}", "exchange"))
    spec = registers.get("collaborations")
    answers = iter([False])  # still wanted when it starts, superseded while it runs
    with any_db.read() as session:
        with pytest.raises(register_base.QueryCancelled):
            register_base.ordered_ids(
                session, spec, RegisterQuery(), cancelled=lambda: next(answers, True)
            )
        # The session stays usable for the next read.
        assert len(register_base.ordered_ids(session, spec, RegisterQuery())) == 5


@pytest.mark.parametrize("descending", [False, True])
def test_rows_without_a_joined_value_sort_last_on_every_engine(
    any_db: Database, descending: bool
) -> None:
    """A collaboration without a department has no department name: last both ways, as a
    nullable column's gaps are, whatever the engine's own default for NULLs."""
    from rsdesk.models import Department

    with any_db.unit_of_work() as session:
        beta, alpha = Department(name="Beta"), Department(name="Alpha")
        session.add_all([beta, alpha])
        session.flush()
        plan = [beta.id, None, alpha.id, beta.id, None, alpha.id]
        created = [
            collaborations.create(
                session, CollaborationInput(f"Study {n}", "exchange", department_id=department)
            ).id
            for n, department in enumerate(plan)
        ]
        names = {beta.id: "Beta", alpha.id: "Alpha"}
    with_department = sorted(
        (c for c, d in zip(created, plan, strict=True) if d is not None),
        key=lambda c: (names[plan[created.index(c)]], c),
        reverse=descending,
    )
    without = sorted(
        (c for c, d in zip(created, plan, strict=True) if d is None), reverse=descending
    )
    spec = registers.get("collaborations")
    query = RegisterQuery(sort_key="department", descending=descending)
    with any_db.read() as session:
        ids = register_base.ordered_ids(session, spec, query)
        first = register_base.ordered_ids(session, spec, query, 5)
        fetched = [row[0] for row in registers.fetch(session, spec, query)]
    assert ids == with_department + without
    assert first == ids[:5]
    assert fetched == ids


def test_describe_names_the_chosen_values_not_their_codes(db: Database) -> None:
    spec = registers.get("collaborations")
    query = RegisterQuery(
        text="quantum", filters={"risk_level": "very_high", "kind": "joint_research"}
    )
    with db.read() as session:
        described = query.describe(spec, session)
        unappraised = RegisterQuery(filters={"risk_level": "none"}).describe(spec, session)
        listed = RegisterQuery(filters={"technology": ["ai", "quantum"]}).describe(spec, session)
    assert described == 'search "quantum"; Kind = Joint research; Risk level = Very high'
    assert unappraised == "Risk level = Not appraised"
    assert listed == "Technology area = ['ai', 'quantum']"  # a multiple choice is shown as given
    assert query.describe(spec) == (
        'search "quantum"; Kind = joint_research; Risk level = very_high'
    )
