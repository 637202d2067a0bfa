"""An installed wheel works from any directory: resources and migrations come from the package.

The wheel is installed into a new virtual environment without the source tree on its path. Its
third-party dependencies are borrowed from the test environment through a ``.pth`` line (they
are not what is under test, and downloading them again would make the test slow and networked);
rsdesk itself is imported from the new environment only, which the test checks.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(folder / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next((folder / "dist").glob("rsdesk-*.whl"))
    env_dir = folder / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    target_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    borrowed = [p for p in site.getsitepackages() if "site-packages" in p]
    (target_site / "zz_borrowed_dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return python


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["RSDESK_HOME"] = str(cwd / "home")
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [str(python), "-m", "rsdesk", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"rsdesk {' '.join(args)}:\n{result.stderr}"
    return result


def test_the_wheel_carries_resources_and_migrations(installed: Path, tmp_path: Path):
    probe = subprocess.run(
        [
            str(installed),
            "-c",
            "import rsdesk, rsdesk.resources as r; "
            "print(rsdesk.__file__); print(r.resources_root())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    package_dir = Path(probe[0]).parent
    assert str(ROOT) not in probe[0], "rsdesk was imported from the source tree"
    assert Path(probe[1]) == package_dir / "_resources"
    assert (package_dir / "db" / "migrations" / "versions").is_dir()
    # Help > User guide reads the guide from the package, not from the source tree's docs/.
    guide = subprocess.run(
        [
            str(installed),
            "-c",
            "from rsdesk.ui.dialogs.help_dialog import user_guide_path; print(user_guide_path())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(guide) == package_dir / "_docs" / "user-guide.md"


def test_every_command_runs_from_the_installed_package(installed: Path, tmp_path: Path):
    db = str(tmp_path / "installed.sqlite3")
    assert run(installed, tmp_path, "--version").stdout.startswith("rsdesk ")
    run(installed, tmp_path, "--db", db, "db", "upgrade")
    run(installed, tmp_path, "--db", db, "demo", "--size", "60", "--seed", "3")
    run(installed, tmp_path, "--db", db, "audit", "verify")
    run(installed, tmp_path, "--db", db, "db", "check")
    run(installed, tmp_path, "--db", db, "db", "backup", str(tmp_path / "backup.sqlite3"))
    questions = run(installed, tmp_path, "appraisal", "questions").stdout
    assert '"questions"' in questions or '"id"' in questions
    run(installed, tmp_path, "--db", db, "export", "xlsx", str(tmp_path / "all.xlsx"))
    assert (tmp_path / "all.xlsx").stat().st_size > 0
    run(
        installed,
        tmp_path,
        "--db",
        db,
        "report",
        "annual",
        "--year",
        "2025",
        "--out",
        str(tmp_path / "annual.pdf"),
    )
    assert (tmp_path / "annual.pdf").read_bytes().startswith(b"%PDF")
    run(installed, tmp_path, "--db", db, "screening", "check", "Example University")
    run(installed, tmp_path, "--db", db, "screenshots", str(tmp_path / "shots"))
    assert list((tmp_path / "shots").glob("*.png"))
