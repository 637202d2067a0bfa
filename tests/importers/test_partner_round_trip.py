"""The partners register exported, edited in Excel and imported again: only the edit changes,
and each other name keeps its kind (abbreviation, native script, ...), which the column cannot
show."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from rsdesk.db import Database
from rsdesk.models.enums import PartnerKind, PartnerNameKind
from rsdesk.services import importers, partners
from rsdesk.services.errors import ValidationError
from rsdesk.services.reports.xlsx.registers import export_register
from tests.importers.conftest import write_xlsx

KINDS = {
    "BUST": PartnerNameKind.ABBREVIATION,
    "جامعة بيروت للعلوم والتكنولوجيا": PartnerNameKind.NATIVE_SCRIPT,
    "Beirut Institute of Technology": PartnerNameKind.FORMER,
}


def _beirut(db: Database) -> int:
    with db.unit_of_work() as session:
        return partners.create(
            session,
            partners.PartnerInput(
                "Beirut University of Science and Technology",
                PartnerKind.UNIVERSITY,
                country="LB",
                city="Beirut",
                # Not in the order the register lists them (sorted).
                other_names=tuple(partners.OtherName(n, k) for n, k in reversed(KINDS.items())),
            ),
        ).id


def _kinds(db: Database, partner_id: int) -> dict[str, str]:
    with db.read() as session:
        detail = partners.load(session, partner_id)
    return {o.name: getattr(o.kind, "value", o.kind) for o in detail.other_names}


def _exported(db: Database, tmp_path: Path) -> tuple[Path, openpyxl.Workbook, list[str]]:
    out = tmp_path / "partners.xlsx"
    with db.read() as session:
        export_register(session, "partners", out)
    workbook = openpyxl.load_workbook(out)
    headers = [cell.value for cell in next(workbook.active.iter_rows(max_row=1))]
    return out, workbook, headers


def test_an_unchanged_export_imports_as_unchanged(db: Database, tmp_path: Path) -> None:
    _beirut(db)
    out, _workbook, _headers = _exported(db, tmp_path)
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(
            session, out, "xlsx", "partners", on_duplicate="update", dry_run=True
        )
    assert plan.counts()["update"] == 0
    assert plan.counts()["unchanged"] == len(plan.rows)


def test_an_edited_partner_keeps_the_kinds_of_its_other_names(db: Database, tmp_path: Path) -> None:
    partner_id = _beirut(db)
    out, workbook, headers = _exported(db, tmp_path)
    sheet = workbook.active
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == partner_id)
    sheet.cell(row, headers.index("City") + 1).value = "Byblos"
    names_cell = sheet.cell(row, headers.index("Other names") + 1)
    names_cell.value = f"{names_cell.value}; BUS&T"
    workbook.save(out)
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(
            session, out, "xlsx", "partners", on_duplicate="update"
        )
    assert result is not None
    assert result.updated == 1
    with db.read() as session:
        assert partners.load(session, partner_id).city == "Byblos"
    assert _kinds(db, partner_id) == {
        **{name: kind.value for name, kind in KINDS.items()},
        "BUS&T": PartnerNameKind.ALIAS.value,  # a new name has no kind but the default
    }


def test_a_name_with_the_separator_is_refused(db: Database, tmp_path: Path) -> None:
    """'A; B' in a register cell means two partners, so no partner may be named so."""
    with db.unit_of_work() as session, pytest.raises(ValidationError, match="cannot contain ';'"):
        partners.create(session, partners.PartnerInput("Boston; Metropolitan", PartnerKind.OTHER))
    path = write_xlsx(
        tmp_path / "p.xlsx", [["Name", "Kind", "Other names"], ["Lyon Institute", "Other", "A, B"]]
    )
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "xlsx", "partners", dry_run=True)
    assert plan.rejected == 0  # a comma is fine: "A, B" is one other name


def test_a_row_named_by_another_name_updates_that_partner_but_never_renames_it(
    db: Database, tmp_path: Path
) -> None:
    partner_id = _beirut(db)
    same = write_xlsx(
        tmp_path / "same.xlsx",
        [["Name", "Kind", "Country", "City"], ["BUST", "University", "LB", "Byblos"]],
    )
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(
            session, same, "xlsx", "partners", on_duplicate="update"
        )
    assert result is not None
    assert result.updated == 1
    with db.read() as session:
        detail = partners.load(session, partner_id)
    assert (detail.name, detail.city) == ("Beirut University of Science and Technology", "Byblos")
    assert _kinds(db, partner_id)["BUST"] == PartnerNameKind.ABBREVIATION.value
    # Another organisation that shares the abbreviation: refused, with the reason.
    other = write_xlsx(
        tmp_path / "other.xlsx", [["Name", "Kind", "Country"], ["BUST", "Company", "DE"]]
    )
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(
            session, other, "xlsx", "partners", on_duplicate="update", dry_run=True
        )
    assert plan.rejected == 1
    assert "'BUST' is another name of 'Beirut University of Science and Technology'" in (
        plan.rows[0].problems[0].reason
    )
    assert "kind university" in plan.rows[0].problems[0].reason
