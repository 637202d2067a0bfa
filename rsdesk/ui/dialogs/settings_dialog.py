"""Tools > Settings…: the institution's name and logo, retention, limits, and the scoring model.

Values are loaded and saved through :mod:`rsdesk.services.settings` on the operation runner
(one unit of work for the whole form: all or nothing). A refused value is shown next to its
field. The scoring model is shown, and an institution can install its own adjusted copy of the
model file (validated first; it gets its own version) or go back to the shipped one. Installing or
resetting takes effect at once, apart from Save, because the model is not a form field.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import settings as settings_service
from rsdesk.services.errors import KnownError, ValidationError
from rsdesk.services.settings import InstitutionSettings
from rsdesk.ui.context import AppContext
from rsdesk.ui.ops import show_error
from rsdesk.ui.widgets.form import may_close
from rsdesk.ui.widgets.tiles import tone_colour

LOGO_PREVIEW = (220, 72)
APPRAISAL_MODULE = "rsdesk.services.appraisal"


@dataclass(frozen=True)
class ModelSummary:
    id: str
    version: str
    title: str
    source: str
    dimensions: tuple[tuple[str, str], ...]  # (name, "safeguards" or "")
    levels: tuple[tuple[str, int, int, str], ...]  # (name, min score, review months, sign-off)
    #: An institution's adjusted copy is in use (not the shipped model).
    institution_copy: bool = False


@dataclass(frozen=True)
class SettingsData:
    settings: InstitutionSettings
    model: ModelSummary | None
    model_error: str = ""


def load_settings_data(session: Session) -> SettingsData:
    """Worker thread: the settings and a summary of the scoring model in use."""
    current = settings_service.load(session)
    if importlib.util.find_spec(APPRAISAL_MODULE) is None:  # not part of this build
        return SettingsData(current, None)
    try:
        summary = model_summary(session)
    except KnownError as exc:
        return SettingsData(current, None, str(exc))
    return SettingsData(current, summary)


def model_summary(session: Session) -> ModelSummary:
    """Worker thread: what the Scoring model tab shows about the model in use."""
    from rsdesk.services.appraisal import institution_model_installed, load_model

    model = load_model(session=session)
    return ModelSummary(
        model.id,
        model.version,
        model.title,
        model.source,
        tuple((d.name, "safeguards" if d.safeguard else "") for d in model.dimensions),
        tuple((lv.name, lv.min_score, lv.review_months, lv.sign_off) for lv in model.levels),
        institution_model_installed(session),
    )


_KEEP = object()  # logo unchanged
_REMOVE = object()


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("SettingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(640)
        self.data: SettingsData | None = None
        self._logo: Any = _KEEP
        #: The form's values as loaded, to tell whether closing would lose a change.
        self._loaded_values: dict[str, Any] | None = None
        self.saving = False

        self.tabs = QTabWidget()
        self.tabs.addTab(self._institution_tab(), self.tr("&Institution"))
        self.tabs.addTab(self._model_tab(), self.tr("&Scoring model"))
        # Hidden widgets' sizes are stale until shown: fit once the tab is on screen.
        self.tabs.currentChanged.connect(lambda _index: QTimer.singleShot(0, self._fit_height))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self.context.ops.query(load_settings_data, self._on_loaded)

    # -- building -----------------------------------------------------------------------------

    def _error_label(self, field: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{field}")
        label.setWordWrap(True)
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, tone_colour("alert", self.palette()))
        label.setPalette(palette)
        label.hide()
        self.errors[field] = label
        return label

    def _field(self, editor: QWidget, field: str, note: str = "") -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        if note:
            hint = QLabel(note)
            hint.setWordWrap(True)
            hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            column.addWidget(hint)
        column.addWidget(self._error_label(field))
        return box

    def _spin(self, field: str) -> QSpinBox:
        spec = settings_service.spec(field)
        spin = QSpinBox()
        spin.setObjectName(field)
        spin.setRange(spec.minimum or 0, spec.maximum or 1_000_000)
        spin.setSuffix(f" {spec.unit}")
        spin.setAccessibleName(spec.label)
        spin.setMaximumWidth(160)
        return spin

    def _institution_tab(self) -> QWidget:
        self.errors: dict[str, QLabel] = {}
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("institution_name")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(self.tr("e.g. University of Example"))
        self.name_edit.setAccessibleName(self.tr("Institution name"))
        name_label = QLabel(self.tr("Institution &name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(
            name_label,
            self._field(self.name_edit, "institution_name", self.tr("Shown on reports.")),
        )

        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_preview.setAccessibleName(self.tr("Logo preview"))
        self.logo_button = QPushButton(self.tr("&Choose…"))
        self.logo_button.clicked.connect(self._choose_logo)
        self.remove_logo_button = QPushButton(self.tr("&Remove"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_row = QWidget()
        row = QHBoxLayout(logo_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.logo_preview, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QVBoxLayout()
        buttons.addWidget(self.logo_button)
        buttons.addWidget(self.remove_logo_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        row.addStretch(1)
        limit_kb = settings_service.LOGO_MAX_BYTES // 1024
        form.addRow(
            self.tr("Logo:"),
            self._field(
                logo_row,
                "logo",
                self.tr("PNG or JPEG, at most %d KB; printed on reports.") % limit_kb,
            ),
        )

        self.retention_spin = self._spin("leaver_retention_months")
        form.addRow(
            self.tr("Keep &leavers' data for:"),
            self._field(
                self.retention_spin,
                "leaver_retention_months",
                self.tr("After a person's end date; then their record can be anonymised."),
            ),
        )
        self.import_spin = self._spin("import_max_mb")
        form.addRow(
            self.tr("Largest im&port file:"),
            self._field(self.import_spin, "import_max_mb"),
        )
        self.horizon_spin = self._spin("review_reminder_days")
        form.addRow(
            self.tr("&Due-soon horizon:"),
            self._field(
                self.horizon_spin,
                "review_reminder_days",
                self.tr(
                    "How far ahead the dashboard lists reviews, measures, checks and training."
                ),
            ),
        )
        spins = ((2, self.retention_spin), (3, self.import_spin), (4, self.horizon_spin))
        for index, editor in spins:
            item = form.itemAt(index, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel):
                label.setBuddy(editor)
        return page

    def _model_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.model_label = QLabel(self.tr("Loading…"))
        self.model_label.setObjectName("modelSummary")
        self.model_label.setWordWrap(True)
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.model_label)
        dimensions = QGroupBox(self.tr("Dimensions"))
        dim_layout = QVBoxLayout(dimensions)
        self.dimension_list = QTreeWidget()
        self.dimension_list.setObjectName("dimensionList")
        self.dimension_list.setHeaderLabels([self.tr("Dimension"), self.tr("Role")])
        self.dimension_list.setRootIsDecorated(False)
        self.dimension_list.setAccessibleName(self.tr("Dimensions"))
        dim_layout.addWidget(self.dimension_list)
        levels = QGroupBox(self.tr("Risk levels and thresholds"))
        level_layout = QVBoxLayout(levels)
        self.level_list = QTreeWidget()
        self.level_list.setObjectName("levelList")
        self.level_list.setHeaderLabels(
            [self.tr("Level"), self.tr("From score"), self.tr("Review after"), self.tr("Sign-off")]
        )
        self.level_list.setRootIsDecorated(False)
        self.level_list.setAccessibleName(self.tr("Risk levels and thresholds"))
        level_layout.addWidget(self.level_list)
        layout.addWidget(dimensions)
        layout.addWidget(levels)

        self.install_model_button = QPushButton(self.tr("I&nstall adjusted model…"))
        self.install_model_button.setObjectName("installModelButton")
        self.install_model_button.setToolTip(
            self.tr("Choose a model file (TOML) adjusted from the shipped one; it is checked first")
        )
        self.install_model_button.clicked.connect(self._choose_model)
        self.reset_model_button = QPushButton(self.tr("Use the s&hipped model"))
        self.reset_model_button.setObjectName("resetModelButton")
        self.reset_model_button.setToolTip(
            self.tr("Remove the institution's copy and appraise with the model rsdesk ships")
        )
        self.reset_model_button.clicked.connect(self.reset_model)
        self.reset_model_button.setEnabled(False)
        for button in (self.install_model_button, self.reset_model_button):
            button.setEnabled(False)  # until the summary is loaded
        buttons = QHBoxLayout()
        buttons.addWidget(self.install_model_button)
        buttons.addWidget(self.reset_model_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.model_message = QLabel()
        self.model_message.setObjectName("modelMessage")
        self.model_message.setWordWrap(True)
        self.model_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model_message.hide()
        layout.addWidget(self.model_message)
        note = QLabel(
            self.tr(
                "The model is versioned data: every appraisal records the version it was scored "
                "with, and an adjusted copy gets a version of its own. Installing or going back "
                "takes effect at once; appraisals already made keep their version and result."
            )
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(note)
        return page

    # -- loading ------------------------------------------------------------------------------

    def _on_loaded(self, data: SettingsData) -> None:
        self.data = data
        current = data.settings
        self.name_edit.setText(current.institution_name)
        self.retention_spin.setValue(current.leaver_retention_months)
        self.import_spin.setValue(current.import_max_mb)
        self.horizon_spin.setValue(current.review_reminder_days)
        self._show_logo(current.logo.data if current.logo else None)
        self._show_model(data)
        self.save_button.setEnabled(True)
        self._loaded_values = self.values()

    def reject(self) -> None:
        """Escape, Cancel or the close button: ask before changed settings are lost (the scoring
        model is not among them: installing one takes effect at once)."""
        dirty = self.data is not None and (
            self.values() != self._loaded_values or self._logo is not _KEEP
        )
        if may_close(self, dirty and not self.saving, self.save):
            super().reject()

    def _show_model(self, data: SettingsData) -> None:
        model = data.model
        self.dimension_list.clear()
        self.level_list.clear()
        if model is None:
            self.model_label.setText(
                data.model_error or self.tr("The appraisal engine is not part of this build.")
            )
            self.install_model_button.setEnabled(bool(data.model_error))
            self.reset_model_button.setEnabled(bool(data.model_error))
            return
        origin = (
            self.tr("the institution's adjusted copy")
            if model.institution_copy
            else self.tr("the model shipped with rsdesk")
        )
        self.model_label.setText(
            self.tr("<b>%s</b><br>Model <b>%s</b>, version %s<br>In use: %s<br>Source: %s")
            % (
                _html(model.title),
                _html(model.id),
                _html(model.version),
                origin,
                _html(model.source),
            )
        )
        self.install_model_button.setEnabled(True)
        self.reset_model_button.setEnabled(model.institution_copy)
        for name, role in model.dimensions:
            self.dimension_list.addTopLevelItem(
                QTreeWidgetItem([name, self.tr("lowers the others") if role else self.tr("risk")])
            )
        for name, min_score, months, sign_off in model.levels:
            self.level_list.addTopLevelItem(
                QTreeWidgetItem([name, str(min_score), self.tr("%d months") % months, sign_off])
            )
        for tree in (self.dimension_list, self.level_list):
            for column in range(tree.columnCount()):
                tree.resizeColumnToContents(column)
            # Show every row: the lists are short, and squeezed to two rows they hid the levels.
            rows = tree.topLevelItemCount()
            row_height = max(tree.sizeHintForRow(0), tree.fontMetrics().height() + 4)
            header = tree.header().sizeHint().height()
            tree.setFixedHeight(header + rows * row_height + 2 * tree.frameWidth() + 2)
        QTimer.singleShot(0, self._fit_height)

    @Slot()
    def _fit_height(self) -> None:
        """Grow to the current tab's height: wrapped labels do not count in a dialog's minimum,
        so the model's lists were squeezed under them (at 150 % they showed two rows)."""
        if self.tabs.currentIndex() == 1:
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _show_logo(self, data: bytes | None) -> None:
        self.remove_logo_button.setEnabled(data is not None)
        if data is None:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(self.tr("No logo"))
            return
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.logo_preview.setPixmap(
            pixmap.scaled(
                LOGO_PREVIEW[0] - 8,
                LOGO_PREVIEW[1] - 8,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    # -- the scoring model --------------------------------------------------------------------

    @Slot()
    def _choose_model(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Install an adjusted scoring model"),
            "",
            self.tr("Model files (*.toml);;All files (*)"),
        )
        if path:
            self.install_model(path)

    def install_model(self, path: str | Path) -> None:
        """Check the model file at ``path`` and make it the institution's model (in the background).

        A file that is not a valid model is refused with the reason under the buttons, and the
        model in use stays as it was.
        """
        from rsdesk.services.appraisal import install_institution_model

        path = Path(path)

        def work(session: Session) -> ModelSummary:
            install_institution_model(session, path)
            return model_summary(session)

        self._model_busy()
        self.context.ops.write(work, self._on_model_installed, self._on_model_refused)

    @Slot()
    def reset_model(self) -> None:
        """Go back to the shipped model (the institution's copy is removed, audited)."""
        from rsdesk.services.appraisal import reset_institution_model

        def work(session: Session) -> ModelSummary:
            reset_institution_model(session)
            return model_summary(session)

        self._model_busy()
        self.context.ops.write(work, self._on_model_reset, self._on_model_refused)

    def _model_busy(self) -> None:
        self.model_message.hide()
        self.install_model_button.setEnabled(False)
        self.reset_model_button.setEnabled(False)

    def _on_model_installed(self, summary: ModelSummary) -> None:
        self._model_changed(
            summary, self.tr("Installed: appraisals now use version %s.") % summary.version
        )

    def _on_model_reset(self, summary: ModelSummary) -> None:
        self._model_changed(
            summary, self.tr("Back to the shipped model, version %s.") % summary.version
        )

    def _model_changed(self, summary: ModelSummary, message: str) -> None:
        if self.data is not None:
            self.data = SettingsData(self.data.settings, summary)
            self._show_model(self.data)
        self._show_model_message(message, error=False)
        self.context.signals.status_message.emit(message)

    def _on_model_refused(self, exc: BaseException) -> None:
        if self.data is not None:
            self._show_model(self.data)
        if isinstance(exc, KnownError):
            self._show_model_message(self.tr("Not installed: %s") % exc, error=True)
            return
        show_error(self, exc)

    def _show_model_message(self, text: str, *, error: bool) -> None:
        palette = self.model_message.palette()
        tone = "alert" if error else "good"
        palette.setColor(QPalette.ColorRole.WindowText, tone_colour(tone, self.palette()))
        self.model_message.setPalette(palette)
        self.model_message.setText(text)
        self.model_message.show()

    # -- editing ------------------------------------------------------------------------------

    @Slot()
    def _choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose a logo"), "", self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.choose_logo(path)

    def choose_logo(self, path: str | Path) -> bool:
        """Take the logo from ``path`` (checked now, stored on Save); False if refused."""
        self._clear_error("logo")
        path = Path(path)
        try:
            if path.stat().st_size > settings_service.LOGO_MAX_BYTES:
                raise ValidationError(
                    self.tr("%s is larger than %d KB")
                    % (path.name, settings_service.LOGO_MAX_BYTES // 1024),
                    field="logo",
                )
            logo = settings_service.validate_logo(path.read_bytes())
        except ValidationError as exc:
            self._show_error("logo", str(exc))
            return False
        except OSError as exc:
            self._show_error("logo", self.tr("Cannot read %s: %s") % (path, exc.strerror or exc))
            return False
        self._logo = logo.data
        self._show_logo(logo.data)
        return True

    @Slot()
    def remove_logo(self) -> None:
        self._clear_error("logo")
        self._logo = _REMOVE
        self._show_logo(None)

    def values(self) -> dict[str, Any]:
        return {
            "institution_name": self.name_edit.text(),
            "leaver_retention_months": self.retention_spin.value(),
            "import_max_mb": self.import_spin.value(),
            "review_reminder_days": self.horizon_spin.value(),
        }

    @Slot()
    def save(self) -> None:
        if self.data is None or self.saving:
            return
        for field in list(self.errors):
            self._clear_error(field)
        values = self.values()
        logo = self._logo

        def work(session: Session) -> InstitutionSettings:
            saved = settings_service.save(session, **values)
            if logo is _REMOVE:
                settings_service.remove_logo(session)
            elif isinstance(logo, bytes):
                settings_service.set_logo(session, logo)
            return saved

        self.saving = True
        self.save_button.setEnabled(False)
        self.context.ops.write(work, self._on_saved, self._on_save_failed)

    def _on_saved(self, _saved: InstitutionSettings) -> None:
        self.saving = False
        self.context.signals.status_message.emit(self.tr("Settings saved."))
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        field = getattr(exc, "field", None)
        if isinstance(exc, ValidationError) and field in self.errors:
            self.tabs.setCurrentIndex(0)
            self._show_error(field, str(exc))
            return
        show_error(self, exc)

    def _show_error(self, field: str, message: str) -> None:
        label = self.errors[field]
        label.setText(message)
        label.show()

    def _clear_error(self, field: str) -> None:
        self.errors[field].clear()
        self.errors[field].hide()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
