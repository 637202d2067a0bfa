"""Create or edit a sensitive asset: name, kind, sensitivity level, location, export-licence flag."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.models.enums import AssetKind
from rsdesk.services import assets
from rsdesk.services.assets import AssetInfo, AssetInput
from rsdesk.services.errors import KnownError
from rsdesk.ui.context import AppContext


class AssetDialog(QDialog):
    saved = Signal(object)
    loaded = Signal()

    def __init__(
        self, context: AppContext, asset_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.asset_id = asset_id
        self._current: AssetInfo | None = None
        self.setObjectName("AssetDialog")
        self.setWindowTitle(
            self.tr("Sensitive asset") if asset_id else self.tr("New sensitive asset")
        )
        self.setMinimumWidth(520)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("assetName")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("assetKind")
        for kind in AssetKind:
            self.kind_combo.addItem(assets.KIND_LABELS[kind], kind.value)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("assetLevel")
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText(
            self.tr("Building and room, or the system it lives on")
        )
        self.export_box = QCheckBox(self.tr("An export licence may be needed"))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(90)
        self.level_help = QLabel()
        self.level_help.setWordWrap(True)
        self.level_help.setStyleSheet("color: palette(mid);")
        self.error = QLabel()
        self.error.setObjectName("assetError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Sensitivity:"), self.level_combo)
        form.addRow("", self.level_help)
        form.addRow(self.tr("&Location or system:"), self.location_edit)
        form.addRow("", self.export_box)
        form.addRow(self.tr("&Description:"), self.description_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.level_combo.currentIndexChanged.connect(self._show_level_help)
        self._levels: list[Any] = []
        self.context.ops.query(self._load, self._on_loaded)

    def _load(self, session: Session) -> tuple[list[Any], AssetInfo | None]:
        levels = list(assets.load_rules(session).levels)
        current = assets.get_asset(session, self.asset_id) if self.asset_id else None
        return levels, current

    @Slot(object)
    def _on_loaded(self, loaded: tuple[list[Any], AssetInfo | None]) -> None:
        self._levels, current = loaded
        self._current = current
        for level in self._levels:
            self.level_combo.addItem(level.name, level.code)
        if current is not None:
            self.name_edit.setText(current.name)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(current.kind.value))
            self.level_combo.setCurrentIndex(self.level_combo.findData(current.sensitivity_level))
            self.location_edit.setText(current.location or "")
            self.export_box.setChecked(current.export_licence_possible)
            self.description_edit.setPlainText(current.description or "")
        else:
            self.level_combo.setCurrentIndex(self.level_combo.findData("sensitive"))
        self._show_level_help()
        self.loaded.emit()

    @Slot()
    def _show_level_help(self) -> None:
        code = self.level_combo.currentData()
        level = next((lvl for lvl in self._levels if lvl.code == code), None)
        self.level_help.setText(level.description if level else "")

    def data(self) -> AssetInput:
        current = self._current
        return AssetInput(
            name=self.name_edit.text(),
            kind=str(self.kind_combo.currentData()),
            sensitivity_level=str(self.level_combo.currentData()),
            owner_staff_id=current.owner_staff_id if current else None,
            department_id=current.department_id if current else None,
            technology_areas=current.technology_areas if current else (),
            dual_use_code=current.dual_use_code if current else None,
            export_licence_possible=self.export_box.isChecked(),
            location=self.location_edit.text(),
            description=self.description_edit.toPlainText(),
        )

    @Slot()
    def save(self) -> None:
        data = self.data()
        asset_id = self.asset_id

        def work(session: Session) -> AssetInfo:
            if asset_id is None:
                return assets.create_asset(session, data)
            return assets.update_asset(session, asset_id, data)

        self.buttons.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_error)

    @Slot(object)
    def _on_saved(self, info: AssetInfo) -> None:
        self.buttons.setEnabled(True)
        self.asset_id = info.id
        self.saved.emit(info)
        self.accept()

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, KnownError):
            raise error
        self.error.setText(str(error))
        self.error.show()
