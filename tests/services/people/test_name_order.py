"""Names sort as they read, and roles read as words, in the staff register and the training
matrix: "Łukasz" comes among the L's, not after "Zoë"; the matrix export says "PhD candidate"."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from rsdesk.services import people_exports, registers, training
from rsdesk.services.registers.base import RegisterQuery, ordered_ids, rows_for_ids

from .helpers import department, person

NAMES = ["Zoë Zimmer", "Łukasz Żółć", "ada Lovelace", "Émile Durand", "Lars Berg", "Mia Ode"]
READING_ORDER = [
    "ada Lovelace",
    "Émile Durand",
    "Lars Berg",
    "Łukasz Żółć",
    "Mia Ode",
    "Zoë Zimmer",
]


def _people(session) -> None:  # noqa: ANN001
    physics = department(session, "Physics")
    for number, name in enumerate(NAMES):
        person(
            session,
            full_name=name,
            staff_number=f"N{number}",
            department_id=physics,
            role_category="phd_candidate" if name.startswith("Mia") else "researcher",
        )


def test_staff_register_sorts_names_as_they_read(any_db) -> None:
    with any_db.unit_of_work() as session:
        _people(session)
    spec = registers.get("staff")
    name_at = [c.key for c in spec.columns].index("full_name") + 1
    with any_db.read() as session:
        for limit in (None, 3):
            ids = ordered_ids(session, spec, RegisterQuery(sort_key="full_name"), limit)
            names = [row[name_at] for row in rows_for_ids(session, spec, ids)]
            assert names == READING_ORDER[: limit or len(NAMES)]
        query = RegisterQuery(sort_key="full_name", descending=True)
        ids = ordered_ids(session, spec, query)
        names = [row[name_at] for row in rows_for_ids(session, spec, ids)]
    assert names == READING_ORDER[::-1]


def test_training_matrix_sorts_names_as_they_read_and_words_roles(db, tmp_path: Path) -> None:
    with db.unit_of_work() as session:
        _people(session)
    with db.read() as session:
        grid = training.matrix(session)
        assert [row.full_name for row in grid.rows] == READING_ORDER
        out = tmp_path / "matrix.xlsx"
        people_exports.export_training_matrix(session, out)
    sheet = openpyxl.load_workbook(out)["Training matrix"]
    roles = {row[1]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == READING_ORDER
    assert roles["Mia Ode"] == "PhD candidate"
    assert roles["Lars Berg"] == "Researcher"
