"""Attachments written to disk: safe names, the private folder of open copies, its clean-up at
exit and after a crash. Real files, real processes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from rsdesk import paths
from rsdesk.services import attachment_files
from rsdesk.services.attachment_files import OpenCopies, name_problem, safe_file_name
from rsdesk.services.errors import ValidationError

BAD_NAMES = [
    "..",
    ".",
    "/",
    "a/../b.txt",
    "..\\..\\evil.doc",
    "nul\x00byte.pdf",
    "line\nbreak.txt",
    "x" * 300 + ".pdf",
    "名前" * 60 + ".xlsx",
]
#: Valid here, but names Windows will not write.
WINDOWS_NAMES = ["CON", "con.txt", "Lpt1.tar.gz", "a:b?.txt", "trailing. "]


@pytest.mark.parametrize("name", BAD_NAMES + WINDOWS_NAMES + ["plain.pdf", "名前 テスト.txt"])
def test_a_safe_name_is_one_file_in_the_folder_with_the_extension_kept(name, tmp_path):
    safe = safe_file_name(name)

    target = tmp_path / safe
    target.write_bytes(b"content")

    assert target.parent == tmp_path
    assert list(tmp_path.iterdir()) == [target]
    assert len(safe.encode("utf-8")) <= 255
    assert safe.split(".")[0].upper() not in {"CON", "NUL", "LPT1", "PRN", "AUX"}
    assert not set(safe) & set('<>:"/\\|?*\x00\n')
    extension = Path(name.replace("\x00", "_")).suffix
    if extension.strip(" .") and len(extension) <= 16:
        assert safe.endswith(extension)


def test_ordinary_names_are_kept_as_they_are():
    for name in ["agreement.pdf", "名前 テスト.txt", "report.v2.PDF", ".hidden"]:
        assert safe_file_name(name) == name
        assert name_problem(name) is None


@pytest.mark.parametrize("name", [*BAD_NAMES, "", "   "])
def test_names_that_cannot_be_files_are_refused_when_attaching(name):
    assert name_problem(name)
    with pytest.raises(ValidationError) as caught:
        attachment_files.check_name(name)
    assert caught.value.field == "file_name"


def test_open_copies_are_private_and_never_overwrite_each_other(rsdesk_home):
    copies = OpenCopies()

    first = copies.write("..", b"first")
    second = copies.write("..", b"second")

    assert first != second
    assert (first.read_bytes(), second.read_bytes()) == (b"first", b"second")
    assert first.name == "attachment"
    root = paths.open_copies_dir()
    assert root.is_relative_to(rsdesk_home)
    assert not first.is_relative_to(Path(tempfile.gettempdir()) / "rsdesk-")
    assert copies.folder is not None
    for folder in (root, copies.folder, first.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(first.stat().st_mode) == 0o600

    copies.remove()

    assert not first.exists()
    assert list(root.iterdir()) == []


def test_a_group_readable_folder_is_made_private_again(rsdesk_home):
    root = paths.open_copies_dir()
    root.mkdir(parents=True)
    root.chmod(0o777)
    copies = OpenCopies()
    copies.write("a.txt", b"x")
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    copies.remove()


SESSION = (
    "import os, sys, time\n"
    "from rsdesk.services import attachment_files\n"
    "path = attachment_files.open_copies().write('minutes.docx', b'secret minutes')\n"
    "print(path, flush=True)\n"
    "if sys.argv[1] == 'crash':\n"
    "    os._exit(3)\n"
    "if sys.argv[1] == 'stay':\n"
    "    time.sleep(60)\n"
)


def _session(how: str, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SESSION, how],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "RSDESK_HOME": str(home)},
    )


def test_quitting_removes_the_open_copies(rsdesk_home):
    process = _session("quit", rsdesk_home)
    assert process.stdout is not None
    written = Path(process.stdout.readline().strip())
    assert process.wait(timeout=60) == 0
    process.stdout.close()

    assert written.is_relative_to(paths.open_copies_dir())
    assert not written.exists()
    assert list(paths.open_copies_dir().iterdir()) == []


def test_the_next_start_removes_a_crashed_sessions_copies_but_not_a_running_ones(rsdesk_home):
    crashed = _session("crash", rsdesk_home)
    running = _session("stay", rsdesk_home)
    assert crashed.stdout is not None
    assert running.stdout is not None
    left_behind = Path(crashed.stdout.readline().strip())
    in_use = Path(running.stdout.readline().strip())
    try:
        assert crashed.wait(timeout=60) == 3
        assert left_behind.read_bytes() == b"secret minutes"  # what the fix cleans up

        removed = attachment_files.remove_leftovers()

        assert removed == 1
        assert not left_behind.exists()
        assert not left_behind.parent.parent.exists()
        assert in_use.read_bytes() == b"secret minutes"
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait()
        crashed.stdout.close()
        running.stdout.close()
    assert attachment_files.remove_leftovers() == 1
    assert not in_use.exists()
    assert list(paths.open_copies_dir().iterdir()) == []
