"""`rsdesk screenshots`: every available view (and the extras) becomes a non-blank PNG."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from rsdesk.ui.views import available_views

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "rsdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def spread(path: Path) -> float:
    """Mean standard deviation of the channels: 0 for a blank (one-colour) picture."""
    with Image.open(path) as image:
        return sum(ImageStat.Stat(image.convert("RGB")).stddev) / 3


@pytest.fixture
def demo_db(db_path: Path) -> Path:
    from rsdesk.db import open_database
    from rsdesk.services import demo

    database = open_database(db_path)
    try:
        demo.generate(database, size=200, seed=3)
    finally:
        database.dispose()
    return db_path


def test_each_view_and_the_extras_become_non_blank_pngs(demo_db, tmp_path):
    outdir = tmp_path / "shots"
    result = run_cli("--db", str(demo_db), "screenshots", str(outdir), "--size", "1100x760")
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.splitlines() if line.endswith(".png")]
    files = sorted(outdir.glob("*.png"))
    assert printed == files
    names = [path.stem.split("-", 1)[1] for path in files]
    views = [entry.key for entry in available_views()]
    assert names[: len(views)] == views
    assert "settings" in names
    assert [path.name[:3] for path in files] == [f"{n:02d}-" for n in range(1, len(files) + 1)]
    for path in files:
        with Image.open(path) as image:
            width, height = image.size
        assert width >= 400, path.name
        assert height >= 300, path.name
        assert spread(path) > 12, f"{path.name} looks blank"
    with Image.open(files[0]) as first:
        assert first.size == (1100, 760)


def test_the_dashboard_shot_shows_its_figures(db, tmp_path, qapp):
    """In-process: the dashboard is grabbed only after its background load arrived."""
    from rsdesk.models import Collaboration
    from rsdesk.models.enums import CollaborationKind, CollaborationStatus
    from rsdesk.ui import screenshots

    with db.unit_of_work() as session:
        session.add(
            Collaboration(
                reference="C-1",
                title="Quantum sensing",
                kind=CollaborationKind.JOINT_RESEARCH,
                status=CollaborationStatus.ACTIVE,
            )
        )
    seen: list[str] = []
    files = screenshots.take_screenshots(db, tmp_path, report=seen.append)
    assert seen == [str(path) for path in files]
    dashboard = next(path for path in files if path.name.endswith("-dashboard.png"))
    assert spread(dashboard) > 12


def test_bad_arguments_and_unwritable_folders_are_one_line_errors(db_path, tmp_path):
    result = run_cli("--db", str(db_path), "screenshots", str(tmp_path), "--size", "huge")
    assert result.returncode == 2
    assert "WIDTHxHEIGHT" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("--db", str(db_path), "screenshots", str(blocker / "sub"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Cannot create the folder" in result.stderr
