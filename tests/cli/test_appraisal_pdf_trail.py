"""An appraisal record PDF of a sign-off edited outside rsdesk warns, on the page and on stderr."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pypdf
import pytest

from rsdesk.cli import main
from rsdesk.services.reports.pdf.appraisal import TRAIL_DIFFERS_WARNING


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("appraisal-pdf") / "demo.sqlite3"
    assert main(["--db", str(path), "demo", "--size", "60", "--seed", "1"]) == 0
    return path


def _first_page_text(pdf: Path) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text().split())


def _signed_off_appraisal(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "select id from appraisal where status = 'signed_off' order by id limit 1"
        ).fetchone()[0]


def test_untouched_appraisal_prints_without_warning(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "a.pdf"
    code = main(
        [
            "--db",
            str(demo),
            "report",
            "appraisal",
            str(_signed_off_appraisal(demo)),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "differs from its audit trail" not in capsys.readouterr().err
    assert "differs from its audit trail" not in _first_page_text(out)


def test_tampered_sign_off_warns_on_the_page_and_exits_non_zero(
    demo: Path, tmp_path: Path, capsys
) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(demo.read_bytes())
    appraisal_id = _signed_off_appraisal(copy)
    with sqlite3.connect(copy) as connection:
        connection.execute(
            "update appraisal set decision = 'reject', signed_off_by = 'Somebody Else' where id = ?",
            (appraisal_id,),
        )
    out = tmp_path / "t.pdf"
    code = main(["--db", str(copy), "report", "appraisal", str(appraisal_id), "--out", str(out)])
    assert code == 3
    assert TRAIL_DIFFERS_WARNING in capsys.readouterr().err
    assert " ".join(TRAIL_DIFFERS_WARNING.split()) in _first_page_text(out)
