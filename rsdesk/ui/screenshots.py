"""Screenshots of the real window on the current database: each view, an editor, the settings,
the appraisal wizard's pages. For the README, reviews and checking a change by eye.

Nothing is written to the database: views only read, the editor and the wizard open existing
records and are closed without saving. Each shot waits until the view's background loads are done
(the operation runner idle and its callbacks delivered) before grabbing the window.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rsdesk.db import Database
from rsdesk.services.errors import KnownError

DEFAULT_SIZE = (1280, 820)


def prepare_environment(scale: float = 1.0) -> None:
    """Before the QApplication exists: render offscreen unless a platform was chosen, and scale."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"


def apply_theme(app: Any, theme: str) -> None:
    """``light`` keeps the platform palette; ``dark`` uses Fusion with a dark palette."""
    if theme != "dark":
        return
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#202124"),
        (roles.WindowText, "#e8eaed"),
        (roles.Base, "#292a2d"),
        (roles.AlternateBase, "#303134"),
        (roles.Text, "#e8eaed"),
        (roles.Button, "#303134"),
        (roles.ButtonText, "#e8eaed"),
        (roles.Highlight, "#3b78c2"),
        (roles.HighlightedText, "#ffffff"),
        (roles.ToolTipBase, "#303134"),
        (roles.ToolTipText, "#e8eaed"),
        (roles.PlaceholderText, "#9aa0a6"),
        (roles.Mid, "#4a4c50"),
        (roles.Midlight, "#3c3e42"),
        (roles.Light, "#55575b"),
        (roles.Dark, "#17181a"),
        (roles.Link, "#8ab4f8"),
    ):
        palette.setColor(role, QColor(colour))
    # Disabled controls must look disabled: without this group they kept the bright text.
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#6f7378"))
    palette.setColor(disabled, roles.Button, QColor("#26272a"))
    app.setPalette(palette)


def settle(app: Any, context: Any, timeout: float = 30.0) -> None:
    """Process events until the runner has nothing running and no result left to deliver."""
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    while time.monotonic() < deadline:
        context.ops.wait(int(timeout * 1000))
        app.processEvents()
        pending = getattr(context.ops, "_callbacks", {})
        if not pending:
            quiet_rounds += 1
            if quiet_rounds >= 3:  # results may start new loads (e.g. a count, then a page)
                break
        else:
            quiet_rounds = 0
        time.sleep(0.02)
    app.processEvents()


def _grab(widget: Any, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise KnownError(f"Cannot write {path}")
    return path


def take_screenshots(
    db: Database,
    outdir: str | Path,
    *,
    size: tuple[int, int] = DEFAULT_SIZE,
    report: Callable[[str], None] | None = None,
) -> list[Path]:
    """Render the main window on each view (and the extras) to ``outdir``; returns the files.

    Needs a QApplication (created here if there is none; call :func:`prepare_environment` first
    when it matters which platform and scale it gets).
    """
    from rsdesk.ui.app import create_application
    from rsdesk.ui.context import AppContext
    from rsdesk.ui.main_window import MainWindow

    outdir = Path(outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KnownError(f"Cannot create the folder {outdir}: {exc.strerror or exc}") from exc
    say = report or (lambda _text: None)
    app: Any = create_application()
    context = AppContext.create(db)
    window = MainWindow(context)
    window.resize(*size)
    window.show()
    settle(app, context)
    files: list[Path] = []

    def shot(widget: Any, name: str) -> None:
        path = _grab(widget, outdir / f"{len(files) + 1:02d}-{name}.png")
        files.append(path)
        say(str(path))

    try:
        for key in window.view_keys():
            window.show_view(key)
            settle(app, context)
            shot(window, key)
        for name, opener in _extras():
            try:
                widgets = opener(context, window)
            except Exception as exc:  # an optional extra must not cost the other shots
                sys.stderr.write(f"rsdesk: skipped {name}: {exc}\n")
                continue
            for suffix, widget in widgets:
                settle(app, context)
                shot(widget, f"{name}{suffix}")
                widget.hide()
                widget.deleteLater()
            settle(app, context)
    finally:
        context.ops.wait()
        app.processEvents()
        window.hide()
        window.deleteLater()
        app.processEvents()
    return files


# --- extras: editor, settings, wizard --------------------------------------------------------

Opener = Callable[[Any, Any], list[tuple[str, Any]]]


def _module_exists(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _extras() -> list[tuple[str, Opener]]:
    extras: list[tuple[str, Opener]] = []
    if _module_exists("rsdesk.ui.dialogs.collaboration_dialog"):
        extras.append(("editor-collaboration", _collaboration_editor))
    if _module_exists("rsdesk.ui.dialogs.settings_dialog"):
        extras.append(("settings", _settings_dialog))
    if _module_exists("rsdesk.ui.wizard.appraisal"):
        extras.append(("wizard", _wizard_pages))
    return extras


def _collaboration_editor(context: Any, window: Any) -> list[tuple[str, Any]]:
    """The collaboration editor on the latest record (or a new one on an empty database)."""
    import importlib

    from rsdesk.services import collaborations

    module = importlib.import_module("rsdesk.ui.dialogs.collaboration_dialog")
    dialog_class = module.CollaborationDialog
    with context.db.read() as session:
        record_id = collaborations.latest_open_id(session)
    parameters = inspect.signature(dialog_class).parameters
    kwargs: dict[str, Any] = {}
    for name in parameters:
        if name == "context":
            kwargs[name] = context
        elif name in ("collaboration_id", "record_id", "id"):
            kwargs[name] = record_id
        elif name == "parent":
            kwargs[name] = window
    dialog = dialog_class(**kwargs)
    dialog.show()
    return [("", dialog)]


def _settings_dialog(context: Any, window: Any) -> list[tuple[str, Any]]:
    from PySide6.QtWidgets import QApplication

    from rsdesk.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(context, window)
    dialog.show()
    app = QApplication.instance()
    settle(app, context)
    institution = _Frozen(dialog.grab())
    dialog.tabs.setCurrentIndex(1)  # the scoring model and its install / go-back buttons
    return [("", institution), ("-model", dialog)]


def _wizard_pages(context: Any, window: Any) -> list[tuple[str, Any]]:
    """Every page of the latest draft appraisal (else the latest signed-off record page)."""
    from PySide6.QtWidgets import QApplication

    from rsdesk.services.appraisal import workflow
    from rsdesk.ui.wizard.appraisal import AppraisalWizard, load_appraisal

    with context.db.read() as session:
        appraisal_id = workflow.latest_appraisal_id(session)
    if appraisal_id is None:
        raise KnownError("there is no appraisal to show")
    with context.db.read() as session:
        state = load_appraisal(session, appraisal_id, context.db.actor)
    wizard = AppraisalWizard(context, state, window)
    wizard.show()
    shots: list[tuple[str, Any]] = []
    app = QApplication.instance()
    ids = list(wizard.pageIds())
    for number, page_id in enumerate(ids, start=1):
        wizard.setStartId(page_id)
        wizard.restart()
        settle(app, context)
        # Grab now: the next restart replaces the page shown. A copy keeps this picture.
        shots.append((f"-{number:02d}", _Frozen(wizard.grab())))
    wizard.dirty = False  # nothing was changed; closing must not offer to save
    wizard.hide()
    wizard.deleteLater()
    return shots


class _Frozen:
    """A picture taken earlier, with the small widget API ``take_screenshots`` uses."""

    def __init__(self, pixmap: Any) -> None:
        self.pixmap = pixmap

    def grab(self) -> Any:
        return self.pixmap

    def hide(self) -> None:
        pass

    def deleteLater(self) -> None:
        pass
