"""Imports on real databases: preview, all or nothing, duplicates, round trips, each target."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from rsdesk.db import Database, open_database
from rsdesk.models import (
    AuditEntry,
    Collaboration,
    CollaborationPartner,
    Department,
    OnboardingCheck,
    Partner,
    StaffMember,
    TrainingRecord,
)
from rsdesk.services import audit, importers, staff, training
from rsdesk.services.errors import KnownError
from rsdesk.services.progress import Cancelled, CancelToken
from rsdesk.services.reports.xlsx.registers import export_register
from tests.conftest import fresh_sqlite
from tests.importers.conftest import file_digest, write_xlsx
from tests.importers.sample import populate

ROWS = [
    ["Project title", "Type", "Start date", "Funding", "Partner institutions", "Faculty"],
    ["Quantum sensing", "Joint research", "01.02.2024", "1.250.000", "Uni A; Uni B", "Physics"],
    ["Battery chemistry", "contract_research", "2024-03-15", "80000", "Uni B", "Chemistry"],
    ["Data exchange", "Data sharing", 45383, "", "", ""],
]


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _verify(db: Database) -> None:
    with db.read() as session:
        result = audit.verify(session)
    assert result.ok, result.problem


def test_a_legacy_register_imports_with_synonym_headers_and_new_partners(
    db: Database, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "legacy.xlsx", ROWS)
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "xlsx", "collaborations")
    assert result is not None
    assert result.created == 3
    assert plan.as_dict()["mapping"] == {
        "Project title": "title",
        "Type": "kind",
        "Start date": "start_date",
        "Funding": "funding_amount_eur",
        "Partner institutions": "partners",
        "Faculty": "department",
    }
    with db.read() as session:
        rows = session.execute(
            select(
                Collaboration.title,
                Collaboration.kind,
                Collaboration.start_date,
                Collaboration.funding_amount_eur,
                Collaboration.status,
            ).order_by(Collaboration.id)
        ).all()
        partner_names = set(session.scalars(select(Partner.name)))
        departments = set(session.scalars(select(Department.name)))
        links = session.scalar(select(func.count()).select_from(CollaborationPartner))
    assert rows == [
        ("Quantum sensing", "joint_research", dt.date(2024, 2, 1), 1_250_000, "proposed"),
        ("Battery chemistry", "contract_research", dt.date(2024, 3, 15), 80_000, "proposed"),
        ("Data exchange", "data_sharing", dt.date(2024, 4, 1), None, "proposed"),
    ]
    assert {"Uni A", "Uni B"} <= partner_names
    assert {"Physics", "Chemistry"} <= departments
    assert links == 3
    _verify(db)


def test_one_bad_row_writes_nothing_and_names_row_and_column(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    rows = [*ROWS, ["Broken", "Exchange", "31.02.2024", "12", "", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    db.dispose()
    before = file_digest(db_path)
    code, out, err = cli("import", "xlsx", str(path), "--what", "collaborations")
    assert code == 1
    assert "problem: row 5, column C (Start date): '31.02.2024' is not a valid date" in out
    assert "Nothing was imported: 1 of 4 rows have problems" in err
    assert file_digest(db_path) == before
    code, out, err = cli("import", "xlsx", str(path), "--what", "collaborations", "--skip-bad-rows")
    assert code == 0
    assert "3 created" in err
    with _Opened(db_path) as again:
        assert _count(again, Collaboration) == 3


class _Opened:
    def __init__(self, path: Path) -> None:
        self.db = open_database(path)

    def __enter__(self) -> Database:
        return self.db

    def __exit__(self, *args: object) -> None:
        self.db.dispose()


def test_dry_run_writes_nothing_and_saves_problems(
    db: Database, db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    rows = [*ROWS, ["", "Nonsense", "2024-01-01", "-5", "", ""]]
    path = write_xlsx(tmp_path / "dry.xlsx", rows)
    problems = tmp_path / "problems.xlsx"
    db.dispose()
    before = file_digest(db_path)
    code, out, err = cli(
        "import",
        "xlsx",
        str(path),
        "--what",
        "collaborations",
        "--dry-run",
        "--problems",
        str(problems),
    )
    assert code == 1
    assert "3 to create" in out
    assert "dry run: nothing was written" in err
    assert file_digest(db_path) == before
    sheet = openpyxl.load_workbook(problems)["Problems"]
    found = {(r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert found == {(5, "A (Project title)"), (5, "B (Type)"), (5, "D (Funding)")}
    values = {r[1]: r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["B (Type)"] == "Nonsense"


def test_cancel_rolls_everything_back(db: Database, tmp_path: Path) -> None:
    rows = [ROWS[0]] + [[f"Title {i}", "exchange", "2024-01-01", "", "", ""] for i in range(30)]
    path = write_xlsx(tmp_path / "many.xlsx", rows)
    token = CancelToken()
    entries = _count(db, AuditEntry)

    def progress(done: int, total: int, message: str = "") -> None:
        if message.startswith("writing"):
            token.cancel()

    with pytest.raises(Cancelled), db.unit_of_work() as session:
        importers.run_import(
            session, path, "xlsx", "collaborations", progress=progress, cancel=token
        )
    assert _count(db, Collaboration) == 0
    assert _count(db, AuditEntry) == entries


def _second_database(sqlite_template: Path, tmp_path: Path) -> Database:
    folder = tmp_path / "second"
    folder.mkdir()
    return open_database(fresh_sqlite(sqlite_template, folder))


def _rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    """Rows without the ID column; lists such as "A; B" as sets (the register does not order
    the partners of a collaboration)."""

    def same(value: object) -> object:
        return frozenset(value.split("; ")) if isinstance(value, str) and "; " in value else value

    sheet_ = openpyxl.load_workbook(path)[sheet]
    return [tuple(map(same, row[1:])) for row in sheet_.iter_rows(values_only=True)]


def test_round_trip_into_an_empty_database_gives_the_same_records(
    db: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    ids = populate(db)
    with db.unit_of_work() as session:
        # Two people of one name, one of them a lead: the staff number keeps them apart.
        staff.create(session, staff.StaffInput("S-900", "Jane Doe", "technician"))
        lead = session.scalar(select(StaffMember.full_name).where(StaffMember.id == ids["jane"]))
    assert lead == "Jane Doe"
    target = _second_database(sqlite_template, tmp_path)
    registers_ = (
        ("staff", "Staff"),
        ("partners", "Partners"),
        ("collaborations", "Collaborations"),
    )
    try:
        for name, _sheet in registers_:
            out = tmp_path / f"{name}.xlsx"
            with db.read() as session:
                export_register(session, name, out)
            with target.unit_of_work() as session:
                plan, _result = importers.run_import(session, out, "xlsx", name)
            assert plan.rejected == 0, plan.problems[:3]
        for name, sheet in registers_:
            again = tmp_path / f"{name}-again.xlsx"
            with target.read() as session:
                export_register(session, name, again)
            assert _rows(again, sheet) == _rows(tmp_path / f"{name}.xlsx", sheet)
        _verify(target)
        with target.read() as session:
            assert session.scalar(select(func.count()).select_from(OnboardingCheck)) == (
                _count(db, OnboardingCheck)
            )
    finally:
        target.dispose()


def _exported_collaborations(
    db: Database, tmp_path: Path
) -> tuple[Path, openpyxl.Workbook, list[object], dict[object, int]]:
    """The register exported and opened for editing: file, workbook, headers, row by id."""
    out = tmp_path / "collaborations.xlsx"
    with db.read() as session:
        export_register(session, "collaborations", out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Collaborations"]
    headers = [c.value for c in sheet[1]]
    by_id = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    return out, workbook, headers, by_id


def test_edited_export_updates_the_edited_records(db: Database, tmp_path: Path) -> None:
    ids = populate(db)
    out, workbook, headers, by_id = _exported_collaborations(db, tmp_path)
    sheet = workbook["Collaborations"]
    sheet.cell(by_id[ids["c6"]], headers.index("Title") + 1).value = "Quantum sensing (renewed)"
    sheet.cell(by_id[ids["c7"]], headers.index("Status") + 1).value = "Ended"
    sheet.cell(by_id[ids["c7"]], headers.index("Partners") + 1).value = "University of Tokyo"
    workbook.save(out)
    entries = _count(db, AuditEntry)
    with db.unit_of_work() as session:
        plan, result = importers.run_import(
            session, out, "xlsx", "collaborations", on_duplicate="update"
        )
    assert result is not None
    assert (result.created, result.updated, result.unchanged) == (0, 2, 6)
    with db.read() as session:
        c6 = session.get(Collaboration, ids["c6"])
        c7 = session.get(Collaboration, ids["c7"])
        assert c6 is not None
        assert c7 is not None
        assert c6.title == "Quantum sensing (renewed)"
        assert c7.status == "ended"
        assert [link.partner_id for link in c7.partner_links] == [ids["tokyo"]]
        history = audit.history(session, "collaboration", ids["c6"])
    assert history[-1].action == "update"
    assert history[-1].changes == (
        ("title", "Quantum sensing with Tokyo", "Quantum sensing (renewed)"),
    )
    assert _count(db, AuditEntry) > entries
    _verify(db)
    # The same file again changes nothing and writes nothing but the remembered mapping.
    entries = _count(db, AuditEntry)
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(
            session, out, "xlsx", "collaborations", on_duplicate="update"
        )
    assert result is not None
    assert result.unchanged == 8
    assert _count(db, AuditEntry) == entries


def test_duplicates_are_skipped_by_default(db: Database, tmp_path: Path) -> None:
    populate(db)
    path = tmp_path / "p.csv"
    path.write_text(
        "Name;Kind;Country\nUNIVERSITY  OF TOKYO;University;JP\n東京大学;university;JP\n"
        "Kyoto University;university;jp\n",
        encoding="utf-8",
    )
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "csv", "partners", dry_run=True)
    assert [r.action for r in plan.rows] == ["skip", "reject", "create"]
    assert "same partner as row 2" in str(plan.rows[1].problems[0])
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, path, "csv", "partners", skip_bad_rows=True)
    assert result is not None
    assert (result.created, result.skipped, result.rejected) == (1, 1, 1)
    with db.read() as session:
        kyoto = session.scalar(select(Partner).where(Partner.name == "Kyoto University"))
        assert kyoto is not None
        assert kyoto.country == "JP"


def test_imported_staff_get_the_same_checklist_as_staff_added_by_hand(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "Employee number,Full name,Email,Position,Start date\n"
        "E-1,Maria Rossi,maria@uni.example,Professor,01.09.2025\n"
        "E-2,Tom Berg,,PhD,2025-10-01\n",
        encoding="utf-8",
    )
    with db.unit_of_work() as session:
        _plan, result = importers.run_import(session, path, "csv", None)
        assert result is not None
        assert result.created == 2
        by_hand = staff.create(
            session,
            staff.StaffInput("H-1", "By Hand", "professor", start_date=dt.date(2025, 9, 1)),
        )
    with db.read() as session:
        maria = session.scalar(select(StaffMember.id).where(StaffMember.staff_number == "E-1"))

        def checks(staff_id: int | None) -> list[tuple[str, dt.date | None]]:
            return sorted(
                session.execute(
                    select(OnboardingCheck.check_code, OnboardingCheck.due_date).where(
                        OnboardingCheck.staff_id == staff_id
                    )
                ).all()
            )

        assert checks(maria)
        assert checks(maria) == checks(by_hand.staff.id)


def test_training_completions_import_and_duplicates(db: Database, tmp_path: Path) -> None:
    populate(db)
    with db.unit_of_work() as session:
        training.sync_courses(session)
        course = training.courses(session)[0]
    path = tmp_path / "t.csv"
    path.write_text(
        "Staff number,Course,Completion date,Certificate\n"
        f"S-001,{course.code},15.01.2025,CERT-1\n"
        f"Ahmed Ali,{course.name},2025-01-20,\n"
        f"S-001,{course.code},2025-01-15,CERT-1\n"
        "S-999,nonexistent,2025-01-15,\n",
        encoding="utf-8",
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "training", dry_run=True)
    assert [r.action for r in plan.rows] == ["create", "create", "reject", "reject"]
    reasons = [str(p) for p in plan.problems]
    assert "row 4, column C (Completion date): same completion as row 2" in reasons
    assert any("no staff member with staff number 'S-999'" in r for r in reasons)
    assert any("no course 'nonexistent'" in r for r in reasons)
    with db.unit_of_work() as session:
        importers.run_import(session, path, "csv", "training", skip_bad_rows=True)
    with db.read() as session:
        records = session.execute(
            select(
                TrainingRecord.completed_on,
                TrainingRecord.expires_on,
                TrainingRecord.certificate_ref,
            ).order_by(TrainingRecord.completed_on)
        ).all()
    assert [r[0] for r in records] == [dt.date(2025, 1, 15), dt.date(2025, 1, 20)]
    assert records[0][1] == training.expiry(dt.date(2025, 1, 15), course.refresh_months)
    assert records[0][2] == "CERT-1"
    _verify(db)


def test_mapping_is_editable_and_remembered_per_source(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Vorhaben,Art\nProjekt Alpha,Exchange\n", encoding="utf-8")
    with db.read() as session:
        plan, _ = importers.run_import(session, path, "csv", "collaborations", dry_run=True)
    assert "no column for Title (required)" in str(plan.file_problems[0])
    with db.unit_of_work() as session:
        importers.run_import(
            session, path, "csv", "collaborations", mapping={0: "title", 1: "kind"}
        )
    path.write_text("Vorhaben,Art\nProjekt Beta,Exchange\n", encoding="utf-8")
    with db.unit_of_work() as session:
        plan, result = importers.run_import(session, path, "csv", "collaborations")
    assert result is not None
    assert result.created == 1
    assert any("remembered" in note for note in plan.notes)


def test_cli_map_option_and_guessing_the_target(db: Database, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    db.dispose()
    path = tmp_path / "odd.csv"
    path.write_text("Vorhaben,Art\nProjekt Alpha,Exchange\n", encoding="utf-8")
    code, _out, err = cli("import", "csv", str(path))
    assert code == 1
    assert "Cannot tell what the file holds" in err
    code, out, err = cli(
        "import",
        "csv",
        str(path),
        "--what",
        "collaborations",
        "--map",
        "Vorhaben=title",
        "--map",
        "Art=kind",
    )
    assert code == 0, err
    assert "1 created" in err


def test_importing_without_required_column_is_refused(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", [["Kind"], ["exchange"]])
    with pytest.raises(KnownError, match="no column for Title"), db.unit_of_work() as session:
        importers.run_import(session, path, "xlsx", "collaborations")
    shutil.rmtree(tmp_path / "x.xlsx", ignore_errors=True)


def test_shared_names_keep_the_present_lead_but_refuse_a_guess(
    db: Database, tmp_path: Path
) -> None:
    ids = populate(db)
    with db.unit_of_work() as session:
        staff.create(session, staff.StaffInput("S-900", "Jane Doe", "technician"))
    out = tmp_path / "c.xlsx"
    with db.read() as session:
        export_register(session, "collaborations", out)
    with db.read() as session:
        plan, _ = importers.run_import(
            session, out, "xlsx", "collaborations", on_duplicate="update", dry_run=True
        )
    assert plan.rejected == 0
    assert {r.action for r in plan.rows} == {"unchanged"}
    new = write_xlsx(
        tmp_path / "new.xlsx", [["Title", "Kind", "Lead"], ["X", "exchange", "Jane Doe"]]
    )
    with db.read() as session:
        plan, _ = importers.run_import(session, new, "xlsx", "collaborations", dry_run=True)
    assert "2 staff members are called 'Jane Doe'; give the staff number" in str(plan.problems[0])
    assert ids["jane"]


def test_skipped_bad_rows_create_no_partners_or_departments(db: Database, tmp_path: Path) -> None:
    rows = [
        ROWS[0],
        ["Good", "exchange", "", "", "Uni A", "Physics"],
        ["Also good", "exchange", "", "", "Uni B, Campus C", "Physics"],
        ["Bad", "nonsense", "", "", "Uni Z", "Zoology"],
    ]
    path = write_xlsx(tmp_path / "x.xlsx", rows)
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "xlsx", "collaborations", skip_bad_rows=True)
    # Quoted, so that a name with a comma reads as the one partner it is.
    assert (
        "new partners (kind 'other', screened like any new partner): 'Uni A'; 'Uni B, Campus C'"
        in plan.notes
    )
    with db.read() as session:
        assert set(session.scalars(select(Partner.name))) == {"Uni A", "Uni B, Campus C"}
        assert "Zoology" not in set(session.scalars(select(Department.name)))


def test_an_audit_workbook_imports_the_sheet_of_the_register_asked_for(
    db: Database, sqlite_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rsdesk.cli import main
    from rsdesk.services.reports.xlsx.audit import export_audit_workbook

    populate(db)
    out = tmp_path / "audit.xlsx"
    with db.read() as session:
        export_audit_workbook(session, out, actor="test", database="test")
    target = _second_database(sqlite_template, tmp_path)
    path = target.path
    target.dispose()
    assert path is not None
    code = main(
        ["--db", str(path), "import", "xlsx", str(out), "--what", "partners", "--json", "--dry-run"]
    )
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["sheet"], plan["create"], plan["reject"]) == ("Partners", 2, 0)
    code = main(["--db", str(path), "import", "xlsx", str(out), "--sheet", "Staff"])
    assert code == 0
    assert "3 created" in capsys.readouterr().err


def test_a_lead_staff_number_settles_a_shared_name(db: Database, tmp_path: Path) -> None:
    populate(db)
    with db.unit_of_work() as session:
        other = staff.create(session, staff.StaffInput("S-900", "Jane Doe", "technician")).staff
    rows = [
        ["Title", "Kind", "Lead", "Lead staff no."],
        ["X", "exchange", "Jane Doe", "S-900"],
        ["Y", "exchange", "Jane Doe", "S-404"],
    ]
    path = write_xlsx(tmp_path / "n.xlsx", rows)
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(session, path, "xlsx", "collaborations", skip_bad_rows=True)
    assert [str(p) for p in plan.problems] == [
        "row 3, column D (Lead staff no.): no staff member with the number 'S-404'"
    ]
    with db.read() as session:
        lead = session.scalar(select(Collaboration.lead_staff_id).where(Collaboration.title == "X"))
    assert lead == other.id


def test_a_lead_renamed_in_excel_but_not_renumbered_is_refused(
    db: Database, tmp_path: Path
) -> None:
    ids = populate(db)
    out, workbook, headers, by_id = _exported_collaborations(db, tmp_path)
    sheet = workbook["Collaborations"]
    assert "Lead staff number" in headers
    row = by_id[ids["c6"]]
    lead_column = headers.index("Lead") + 1
    number = sheet.cell(row, headers.index("Lead staff number") + 1).value
    name = sheet.cell(row, lead_column).value
    assert (number, name) == ("S-002", "Ahmed Ali")
    sheet.cell(row, lead_column).value = "Li Wei"
    workbook.save(out)
    with db.unit_of_work() as session:
        plan, _ = importers.run_import(
            session, out, "xlsx", "collaborations", on_duplicate="update", dry_run=True
        )
    letter = openpyxl.utils.get_column_letter(lead_column)
    assert [str(problem) for problem in plan.problems] == [
        f"row {row}, column {letter} (Lead): 'Li Wei' is not staff number S-002 (Ahmed Ali); "
        "change or clear the lead staff number"
    ]


def test_a_file_without_references_imported_twice_says_its_rows_look_known(
    db: Database, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "no-refs.xlsx",
        [["Title", "Kind", "Start"], ["Quantum sensing", "Joint research", "2025-01-01"]],
    )
    with db.unit_of_work() as session:
        first, _ = importers.run_import(session, path, "xlsx", "collaborations")
    assert not any("look like collaborations already" in note for note in first.notes)
    with db.read() as session:
        reference = session.scalars(select(Collaboration.reference)).one()
    with db.unit_of_work() as session:
        again, _ = importers.run_import(session, path, "xlsx", "collaborations", dry_run=True)
    assert f"looks like {reference} (same title, kind and start)" in again.rows[0].note
    assert any(note.startswith("1 new rows look like") for note in again.notes)
