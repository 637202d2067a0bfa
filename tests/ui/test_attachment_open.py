"""Opening and saving attachments from the collaboration editor writes safe names into rsdesk's
private folder (never a bare temporary folder), and a name that cannot be a file is refused."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from rsdesk import paths
from rsdesk.models import Attachment
from rsdesk.services import attachment_files, collaborations

pytestmark = pytest.mark.ui


@pytest.fixture
def private_copies(monkeypatch, rsdesk_home):
    """This test's own open copies (the application keeps one for the whole process)."""
    monkeypatch.setattr(attachment_files, "_app_copies", None)
    yield
    if attachment_files._app_copies is not None:
        attachment_files._app_copies.remove()


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda _parent, _title, text, *a, **k: shown.append(text)),
    )
    return shown


def _collaboration_with(db, *names: str) -> int:
    """A collaboration whose attachments have ``names`` as stored (older data, or written by a
    script: names the editor itself would refuse)."""
    with db.unit_of_work() as session:
        record = collaborations.create(
            session,
            collaborations.CollaborationInput(
                title="Attachment names", kind="joint_research", status="active"
            ),
        )
        for name in names:
            content = f"content of {name!r}".encode()
            session.add(
                Attachment(
                    collaboration_id=record.id,
                    file_name=name,
                    media_type="application/octet-stream",
                    size_bytes=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    content=content,
                )
            )
        return record.id


def _dialog(qtbot, context, collaboration_id: int):
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog

    dialog = CollaborationDialog(context, collaboration_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.attachment_list.topLevelItemCount() > 0, timeout=10_000)
    return dialog


NAMES = ["..", "/", "a/../b.pdf", "CON.txt", "x" * 250 + ".pdf", "minutes.docx"]


def test_open_writes_each_attachment_under_a_safe_name_in_the_private_folder(
    qtbot, context, db, private_copies, warnings
):
    dialog = _dialog(qtbot, context, _collaboration_with(db, *NAMES))
    opened: list[Path] = []
    dialog._open_file = opened.append

    for row in range(dialog.attachment_list.topLevelItemCount()):
        item = dialog.attachment_list.topLevelItem(row)
        dialog.attachment_list.setCurrentItem(item)
        dialog.open_attachment()
        qtbot.waitUntil(lambda n=row: len(opened) == n + 1 or bool(warnings), timeout=10_000)
        assert warnings == []
        name = item.text(0)
        assert opened[-1].read_bytes() == f"content of {name!r}".encode()
        assert opened[-1].name == attachment_files.safe_file_name(name)

    root = paths.open_copies_dir()
    assert all(path.is_relative_to(root) for path in opened)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert {path.suffix for path in opened} >= {".pdf", ".txt", ".docx"}
    dialog.reject()


def test_a_file_whose_name_cannot_be_stored_is_refused_when_attaching(
    qtbot, context, db, tmp_path, warnings
):
    dialog = _dialog(qtbot, context, _collaboration_with(db, "first.pdf"))
    odd = tmp_path / "line\nbreak.pdf"
    odd.write_bytes(b"%PDF")

    dialog.add_attachment(odd)
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)

    assert "control characters" in warnings[0]
    assert dialog.attachment_list.topLevelItemCount() == 1
    dialog.reject()


def test_the_start_removes_copies_left_by_a_crashed_rsdesk(qtbot, db) -> None:
    import gc

    from rsdesk.services import settings as settings_service
    from rsdesk.ui import app as app_module
    from rsdesk.ui.main_window import MainWindow

    with db.unit_of_work() as session:
        settings_service.save(session, institution_name="Start-up University")
    path = db.path
    db.dispose()
    left = paths.open_copies_dir() / "4242-deadbeef" / "tmpabc" / "minutes.docx"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"plain minutes of a crashed session")

    window = app_module.start(str(path))
    assert isinstance(window, MainWindow)
    try:
        qtbot.waitUntil(
            lambda: window.statusBar().currentMessage().startswith("Database checked"),
            timeout=20_000,
        )
        assert not left.exists()
        assert list(paths.open_copies_dir().iterdir()) == []
    finally:
        window.context.ops.wait()
        window.close()
        window.context.db.dispose()
        window.deleteLater()
        gc.unfreeze()
