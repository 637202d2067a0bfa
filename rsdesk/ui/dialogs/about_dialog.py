"""Help > About rsdesk: version, where the data is, and the licences of what is bundled.

Versions and licences are read from the installed distributions' metadata (``License-Expression``,
else ``License``, else the licence classifiers); the table's fallback licence is shown when the
metadata is absent (a bundle that did not copy it). The fonts embedded in PDF reports are listed
from resources/fonts/README.md, which names each font's licence file.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rsdesk import __version__, paths
from rsdesk.resources import resource_path

#: What rsdesk bundles: distribution, what it is used for, licence if the metadata is missing.
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("PySide6", "Qt for Python: the windows", "LGPL-3.0-only"),
    ("shiboken6", "Qt for Python bindings", "LGPL-3.0-only"),
    ("SQLAlchemy", "database access", "MIT"),
    ("alembic", "database upgrades", "MIT"),
    ("platformdirs", "where files are kept", "MIT"),
    ("openpyxl", "Excel workbooks", "MIT"),
    ("et_xmlfile", "Excel workbooks", "MIT"),
    ("reportlab", "PDF reports", "BSD-3-Clause"),
    ("rl_accel", "PDF reports", "BSD-3-Clause"),
    ("pillow", "images in reports", "MIT-CMU"),
    ("rapidfuzz", "name matching in screening", "MIT"),
    ("defusedxml", "reading XML sanctions lists safely", "PSF-2.0"),
    ("anyascii", "transliteration for screening", "ISC"),
    ("arabic-reshaper", "Arabic text in PDFs", "MIT"),
    ("python-bidi", "right-to-left text in PDFs", "LGPL-3.0-or-later"),
    ("python-calamine", "reading spreadsheets", "MIT"),
    ("psycopg", "PostgreSQL server databases", "LGPL-3.0-only"),
    ("psycopg-binary", "PostgreSQL client library", "LGPL-3.0-only"),
    ("Mako", "database upgrades", "MIT"),
    ("MarkupSafe", "database upgrades", "BSD-3-Clause"),
    ("typing_extensions", "Python support", "PSF-2.0"),
)


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str
    purpose: str
    from_metadata: bool


def _licence_of(meta: Any) -> str:
    """The SPDX expression, else the licence classifiers, else a short ``License`` field."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    classifiers = [
        entry.split("::")[-1].strip()
        for entry in meta.get_all("Classifier") or []
        if entry.startswith("License ::") and entry.split("::")[-1].strip() != "OSI Approved"
    ]
    if classifiers:
        return ", ".join(classifiers)
    text = (meta.get("License") or "").strip()
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 80 else ""


def components() -> list[Component]:
    """The bundled components that are installed here, with version and licence."""
    found = []
    for name, purpose, fallback in COMPONENTS:
        try:
            # An email.message.Message at run time: .get() returns None for a missing field.
            meta: Any = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        licence = _licence_of(meta)
        found.append(
            Component(
                name=meta.get("Name") or name,
                version=meta.get("Version") or "",
                licence=licence or fallback,
                purpose=purpose,
                from_metadata=bool(licence),
            )
        )
    return found


def fonts_text() -> str:
    """The fonts embedded in PDF reports and their licences (resources/fonts/README.md)."""
    folder = resource_path("fonts")
    try:
        text = (folder / "README.md").read_text(encoding="utf-8")
    except OSError:
        return "The font list is missing from this installation."
    return f"{text.rstrip()}\n\nThe licence texts are in `{folder}`.\n"


class AboutDialog(QDialog):
    def __init__(self, database_location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self.setWindowTitle(self.tr("About rsdesk"))
        self.database_location = database_location

        heading = QLabel(f"<h2>rsdesk {__version__}</h2>")
        heading.setObjectName("heading")
        summary = QLabel(
            self.tr(
                "Research security desk: a register of international collaborations, partners, "
                "risk appraisals, staff checks and training, screening against sanctions lists, "
                "and the reports that go with them."
            )
        )
        summary.setWordWrap(True)
        details = QFormLayout()
        details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, str] = {
            self.tr("Version"): __version__,
            self.tr("Database"): database_location,
            self.tr("Backups"): str(paths.backup_dir()),
            self.tr("Settings file"): str(paths.config_path()),
            self.tr("Python"): platform.python_version(),
            self.tr("Qt"): f"{qVersion()} (PySide6 {pyside_version})",
            self.tr("System"): platform.platform(terse=True),
        }
        for label, value in self.values.items():
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            details.addRow(label + ":", field)
        about = QWidget()
        about_layout = QVBoxLayout(about)
        about_layout.addWidget(heading)
        about_layout.addWidget(summary)
        about_layout.addLayout(details)
        about_layout.addStretch(1)

        self.components = QTreeWidget()
        self.components.setObjectName("components")
        self.components.setAccessibleName(self.tr("Components and their licences"))
        self.components.setRootIsDecorated(False)
        self.components.setHeaderLabels(
            [self.tr("Component"), self.tr("Version"), self.tr("Licence"), self.tr("Used for")]
        )
        for item in components():
            self.components.addTopLevelItem(
                QTreeWidgetItem([item.name, item.version, item.licence, item.purpose])
            )
        for column in range(3):
            self.components.resizeColumnToContents(column)
        licence_note = QLabel(
            self.tr(
                "rsdesk uses Qt through PySide6 under the GNU LGPL version 3: you may replace "
                "the Qt and PySide6 libraries in the installation folder with your own builds."
            )
        )
        licence_note.setWordWrap(True)
        components_page = QWidget()
        components_layout = QVBoxLayout(components_page)
        components_layout.addWidget(self.components, 1)
        components_layout.addWidget(licence_note)

        self.fonts = QTextBrowser()
        self.fonts.setObjectName("fonts")
        self.fonts.setAccessibleName(self.tr("Fonts"))
        self.fonts.setMarkdown(fonts_text())

        self.tabs = QTabWidget()
        self.tabs.addTab(about, self.tr("About"))
        self.tabs.addTab(components_page, self.tr("Components and licences"))
        self.tabs.addTab(self.fonts, self.tr("Fonts"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("&Copy details"))
        copy.setObjectName("copyDetails")
        copy.setToolTip(self.tr("Copies the version and locations, for a support request."))
        copy.clicked.connect(self.copy_details)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(720, 480)

    def details_text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.values.items())

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
