"""`rsdesk report ...` as scripts use it: files written, archive round trip, one-line errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rsdesk.cli import main
from tests.reports.pdf.appraisals import signed_off_appraisal
from tests.reports.pdf.data import add_register
from tests.reports.pdf.helpers import flat, pages_text


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_reports_and_the_archive(db, db_path, tmp_path, capsys) -> None:
    year = dt.date.today().year
    with db.unit_of_work() as session:
        add_register(session, 10, year=year)
        appraisal_id = signed_off_appraisal(session)
    db.dispose()
    base = ("--db", str(db_path), "report")

    annual = tmp_path / "annual.pdf"
    code, out, err = run(capsys, *base, "annual", "--year", str(year), "--out", str(annual))
    assert code == 0, err
    assert f"wrote {annual}" in out
    assert f"annual report {year}" in flat(pages_text(annual.read_bytes())[0])

    record = tmp_path / "record.pdf"
    code, _, err = run(capsys, *base, "appraisal", str(appraisal_id), "--out", str(record))
    assert code == 0, err
    assert "Risk appraisal record" in pages_text(record.read_bytes())[0]

    listing = tmp_path / "listing.pdf"
    code, _, err = run(
        capsys,
        *base,
        "listing",
        "collaborations",
        "--out",
        str(listing),
        "--search",
        "quantum",
        "--filter",
        "risk_level=low",
    )
    assert code == 0, err
    text = flat("\n".join(pages_text(listing.read_bytes())))
    assert 'search "quantum"; Risk level = Low' in text

    code, out, err = run(capsys, *base, "archive", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [r["kind"] for r in listed] == ["listing", "appraisal", "annual"]

    again = tmp_path / "again.pdf"
    code, out, err = run(capsys, *base, "archive", str(listed[2]["id"]), "--out", str(again))
    assert code == 0, err
    assert again.read_bytes() == annual.read_bytes()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("listing", "nonsense", "--out", "{tmp}/x.pdf"), "There is no register 'nonsense'"),
        (
            ("listing", "collaborations", "--out", "{tmp}/x.pdf", "--filter", "colour=red"),
            "has no filter 'colour'",
        ),
        (
            ("listing", "collaborations", "--out", "{tmp}/x.pdf", "--filter", "oops"),
            "expected KEY=VALUE",
        ),
        (("appraisal", "999", "--out", "{tmp}/x.pdf"), "999"),
        (("archive", "42", "--out", "{tmp}/x.pdf"), "There is no archived report 42"),
        (("archive", "1"), "Give --out FILE"),
        (("annual", "--year", "2025", "--out", "{tmp}/missing/x.pdf"), "does not exist"),
    ],
)
def test_failures_are_one_line(db_path, tmp_path, capsys, argv, message) -> None:
    argv = tuple(a.replace("{tmp}", str(tmp_path)) for a in argv)
    code, _, err = run(capsys, "--db", str(db_path), "report", *argv)
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "x.pdf").exists()


def test_bad_year_is_a_usage_error(db_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db_path), "report", "annual", "--year", "soon", "--out", "x.pdf"])
    assert exit_info.value.code == 2
    assert "'soon' is not a year" in capsys.readouterr().err
