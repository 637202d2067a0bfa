"""`rsdesk screening load | check | run | lists` on a real database file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rsdesk.cli import main
from rsdesk.db import open_database
from rsdesk.models import Partner
from rsdesk.models.enums import PartnerKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "screening"


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), "screening", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_load_check_run_and_lists(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = open_database(db_path)
    with database.unit_of_work() as session:
        session.add(Partner(name="Harbin Institute of Technology", kind=PartnerKind.UNIVERSITY))
        session.add(Partner(name="University of Vienna", kind=PartnerKind.UNIVERSITY))
    database.dispose()

    code, out, _err = run(capsys, db_path, "load", str(FIXTURES / "us_csl.csv"))
    assert code == 0
    assert "loaded version 1 with 4 entries" in out
    assert "screened 2 partners" in out
    assert "1 new hit," in out

    code, out, _err = run(capsys, db_path, "load", str(FIXTURES / "us_csl.csv"))
    assert code == 0
    assert "already loaded as version 1" in out

    code, out, _err = run(capsys, db_path, "check", "Harbin Gongye Daxue", "哈尔滨工业大学")
    assert code == 0
    matches = json.loads(out)
    assert [m["name"] for m in matches] == ["Harbin Gongye Daxue", "哈尔滨工业大学"]
    for match in matches:
        assert match["entry_name"] == "Harbin Institute of Technology"
        assert match["list_key"] == "us-csl"
        assert match["list_version"] == 1
        assert match["score"] >= 0.87

    code, out, _err = run(capsys, db_path, "check", "Technical University of Munich")
    assert (code, json.loads(out)) == (0, [])

    code, out, _err = run(capsys, db_path, "run")
    assert code == 0
    assert "screened 2 partners" in out
    assert "1 hit pending review" in out

    code, out, _err = run(capsys, db_path, "lists", "--json")
    (version,) = json.loads(out)
    assert (version["list_key"], version["entry_count"], version["active"]) == ("us-csl", 4, True)
    code, out, _err = run(capsys, db_path, "lists")
    assert "us-csl" in out
    assert "us_csl.csv" in out


def test_check_with_no_lists_prints_an_empty_list(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, db_path, "check", "Anything")
    assert (code, json.loads(out)) == (0, [])


def test_a_bad_file_fails_with_one_line_and_exit_1(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes((FIXTURES / "eu_fsf.xml").read_bytes()[:900])
    result = subprocess.run(
        [sys.executable, "-m", "rsdesk", "--db", str(db_path), "screening", "load", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "bad.xml: line" in lines[0]


def test_wrong_usage_exits_2(db_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db_path), "screening", "load", "x.csv", "--format", "pdf"])
    assert caught.value.code == 2


GERMAN_LIST = (
    "name,aliases,country,note,id\n"
    "Institut für Höchstleistungsrechnen,,DE,,G-1\n"
    "Hochschule für Technik Zürich,,CH,,G-2\n"
    "Universität Stuttgart Institut für Raumfahrt,,DE,,G-3\n"
    "Bar,,XX,,G-4\n"
)


def load_german_list(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "german.csv"
    path.write_text(GERMAN_LIST, encoding="utf-8")
    code, _out, err = run(capsys, db_path, "load", str(path), "--format", "office-csv")
    assert code == 0, err


@pytest.mark.parametrize(
    ("written_out", "listed"),
    [
        ("Institut fuer Hoechstleistungsrechnen", "Institut für Höchstleistungsrechnen"),
        ("Hochschule fuer Technik Zuerich", "Hochschule für Technik Zürich"),
        (
            "Universitaet Stuttgart Institut fuer Raumfahrt",
            "Universität Stuttgart Institut für Raumfahrt",
        ),
        ("HOCHSCHULE FÜR TECHNIK ZUERICH", "Hochschule für Technik Zürich"),
    ],
)
def test_german_umlauts_written_out_match(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], written_out: str, listed: str
) -> None:
    load_german_list(capsys, db_path, tmp_path)
    code, out, _err = run(capsys, db_path, "check", written_out)
    assert code == 0
    (match,) = json.loads(out)
    assert match["entry_name"] == listed
    assert match["score"] == 1.0


@pytest.mark.parametrize(
    "other",
    [
        "Institut für Raumfahrt",  # a part of G-3, another institute
        "Hochschule für Musik Zürich",
        "Universität Stuttgart",
        "Universitaet Tuebingen Institut fuer Raumfahrt",
    ],
)
def test_other_german_bodies_still_do_not_match(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], other: str
) -> None:
    load_german_list(capsys, db_path, tmp_path)
    code, out, _err = run(capsys, db_path, "check", other)
    assert (code, json.loads(out)) == (0, [])


def test_each_checked_name_gets_its_own_results(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_german_list(capsys, db_path, tmp_path)
    code, out, _err = run(
        capsys, db_path, "check", "Bar", "Foo Univ", "Hochschule fuer Technik Zuerich"
    )
    assert code == 0
    found = [(m["name"], m["entry_name"], m["score"]) for m in json.loads(out)]
    assert found == [
        ("Bar", "Bar", 1.0),
        ("Hochschule fuer Technik Zuerich", "Hochschule für Technik Zürich", 1.0),
    ]


JANUARY = "name,aliases,country,note,id\nBoston Metropolitan University,,US,,B-1\nDeepfield Photonics Ltd,,US,optics,B-2\n"
MARCH = "name,aliases,country,note,id\nAcme Unrelated Corp,,US,,B-0\nDeepfield Photonics Ltd,,US,optics; updated,B-2\nBoston Metropolitan University,,US,,B-1\n"


def lists_json(capsys: pytest.CaptureFixture[str], db_path: Path) -> list[dict[str, object]]:
    code, out, _err = run(capsys, db_path, "lists", "--json")
    assert code == 0
    return list(json.loads(out))


def test_monthly_files_of_one_list_are_versions_of_it(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Watchlist (January).csv").write_text(JANUARY, encoding="utf-8")
    (tmp_path / "Watchlist (March).csv").write_text(MARCH, encoding="utf-8")
    for file_name in ("Watchlist (January).csv", "Watchlist (March).csv"):
        code, out, err = run(capsys, db_path, "load", str(tmp_path / file_name), "--no-screen")
        assert code == 0, err
    assert "version 2" in out
    assert "replacing version 1" in out
    assert "WARNING" not in out
    active = [v for v in lists_json(capsys, db_path) if v["active"]]
    assert [(v["list_key"], v["version_no"]) for v in active] == [("office-watchlist", 2)]


def test_a_new_list_like_an_active_one_warns_and_replace_makes_it_a_version(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "watch.csv").write_text(JANUARY, encoding="utf-8")
    (tmp_path / "watch revised by Ann.csv").write_text(MARCH, encoding="utf-8")
    code, _out, _err = run(capsys, db_path, "load", str(tmp_path / "watch.csv"), "--no-screen")
    assert code == 0
    revised = str(tmp_path / "watch revised by Ann.csv")
    code, out, _err = run(capsys, db_path, "load", revised, "--no-screen")
    assert code == 0
    assert "WARNING: this new list shares 2 of its entries with the active list" in out
    assert "--replace office-watch" in out
    assert len([v for v in lists_json(capsys, db_path) if v["active"]]) == 2

    code, out, _err = run(capsys, db_path, "load", revised, "--replace", "office-watch")
    assert code == 0
    assert "loaded version 2" in out
    assert "no longer active" in out
    active = [v for v in lists_json(capsys, db_path) if v["active"]]
    assert [(v["list_key"], v["version_no"]) for v in active] == [("office-watch", 2)]


def test_replacing_a_list_that_does_not_exist_fails_in_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "watch.csv").write_text(JANUARY, encoding="utf-8")
    code, _out, err = run(capsys, db_path, "load", str(tmp_path / "watch.csv"), "--replace", "nope")
    assert code == 1
    assert "no list 'nope' to replace" in err
    assert len(err.strip().splitlines()) == 1


def test_a_one_entry_list_reads_1_entry_and_a_gbk_file_is_refused(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's 清华大学 in GBK loaded as 'Çå»ª´óÑ§'; one entry read '1 entries'."""
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("name,aliases,country\n清华大学,,CN\n".encode("gbk"))
    code, _out, err = run(capsys, db_path, "load", "--no-screen", str(gbk))
    assert code == 1
    assert "gbk.csv: line 2" in err
    assert "save the list as UTF-8" in err
    one = tmp_path / "Office Watchlist (January).csv"
    one.write_text("name,country\nUniversidad de Córdoba,ES\n", encoding="cp1252")
    code, out, _err = run(capsys, db_path, "load", "--no-screen", str(one))
    assert (code, out.strip()) == (0, "Office Watchlist: loaded version 1 with 1 entry")
    code, out, _err = run(capsys, db_path, "lists")
    assert " 1 entry " in out
    assert "(Office Watchlist)" in out
