"""Help > User guide: docs/user-guide.md, shipped with the app, rendered from its Markdown.

The guide is found next to the code wherever rsdesk runs from: a PyInstaller bundle
(``_MEIPASS/docs``), an installed wheel (``rsdesk/_docs``, copied there by setup.py) or the source
checkout (``docs/``). A contents list on the left jumps to each section.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextBlock, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rsdesk.services.errors import KnownError

GUIDE_NAME = "user-guide.md"


def user_guide_candidates() -> list[Path]:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "docs" / GUIDE_NAME)
    package_dir = Path(__file__).resolve().parents[2]
    candidates.append(package_dir / "_docs" / GUIDE_NAME)
    candidates.append(package_dir.parent / "docs" / GUIDE_NAME)
    return candidates


def user_guide_path() -> Path:
    """The shipped user guide; KnownError if this installation has lost it."""
    for candidate in user_guide_candidates():
        if candidate.is_file():
            return candidate
    raise KnownError("The user guide is missing from this installation; reinstall rsdesk.")


def _headings(document: QTextDocument, level: int) -> list[tuple[str, QTextBlock]]:
    found = []
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() == level:
            found.append((block.text(), block))
        block = block.next()
    return found


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HelpDialog")
        self.setWindowTitle(self.tr("rsdesk user guide"))
        self.browser = QTextBrowser()
        self.browser.setObjectName("guide")
        self.browser.setAccessibleName(self.tr("User guide"))
        self.browser.setOpenExternalLinks(True)
        self.browser.document().setDocumentMargin(16)
        self.browser.setMarkdown(Path(path or user_guide_path()).read_text(encoding="utf-8"))
        self.contents = QListWidget()
        self.contents.setObjectName("contents")
        self.contents.setAccessibleName(self.tr("Contents"))
        for title, block in _headings(self.browser.document(), 2):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, block.position())
            self.contents.addItem(item)
        self.contents.currentItemChanged.connect(self._jump)
        self.contents.setMaximumWidth(220)

        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 640])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(880, 640)

    def sections(self) -> list[str]:
        return [self.contents.item(row).text() for row in range(self.contents.count())]

    def show_section(self, title: str) -> None:
        matches = self.contents.findItems(title, Qt.MatchFlag.MatchExactly)
        if not matches:
            raise KeyError(title)
        self.contents.setCurrentItem(matches[0])

    def _jump(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        document = self.browser.document()
        block = document.findBlock(int(item.data(Qt.ItemDataRole.UserRole)))
        top = document.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))
