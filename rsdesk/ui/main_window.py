"""The main window: navigation on the left, the current view on the right, menus and toolbar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEventLoop, QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QWidget,
)
from shiboken6 import isValid

from rsdesk.ui.context import AppContext
from rsdesk.ui.views import ViewEntry, available_views
from rsdesk.ui.views.base import View


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        context.ops.dialog_parent = self
        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("rsdesk — Research security desk"))
        self.resize(1280, 820)
        self._entries = available_views()
        self._views: dict[str, View] = {}

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(self.tr("Navigation"))
        self.navigation.setIconSize(QSize(20, 20))
        self.navigation.setMinimumWidth(170)
        self.navigation.setMaximumWidth(260)
        for entry in self._entries:
            item = QListWidgetItem(self._icon(entry), self.tr(entry.title))
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            if entry.shortcut:
                item.setToolTip(f"{entry.title} ({entry.shortcut})")
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setObjectName("views")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([200, 1080])
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.database_label = QLabel(self.tr("Database: %s") % context.database_name())
        self.database_label.setObjectName("databaseLabel")
        self.statusBar().addPermanentWidget(self.database_label)
        if context.is_open and not context.db.is_sqlite:
            # On a shared server each login has a role; say which, and what it allows.
            access = context.db.access
            self.role_label = QLabel(
                self.tr("Role: %s (may %s)") % (access.role_name, access.what_it_may())
            )
            self.role_label.setObjectName("roleLabel")
            self.statusBar().addPermanentWidget(self.role_label)

        self.navigation.currentRowChanged.connect(self._on_navigation)
        context.signals.navigate.connect(self._on_navigate_request)
        context.signals.open_record.connect(self._on_open_record)
        context.signals.status_message.connect(self._on_status_message)
        if not context.is_open:
            context.signals.database_opened.connect(self._on_database_opened)
        self._restore_state()
        if self.navigation.currentRow() < 0 and self._entries:
            self.navigation.setCurrentRow(0)

    # -- building -----------------------------------------------------------------------------

    def _icon(self, entry: ViewEntry) -> Any:
        pixmap = getattr(QStyle.StandardPixmap, entry.icon, None) if entry.icon else None
        if pixmap is None:
            return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        return self.style().standardIcon(pixmap)

    def _build_actions(self) -> None:
        self.new_action = QAction(self.tr("&New…"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(lambda: self._current_view_call("new_record"))
        self.find_action = QAction(self.tr("&Find"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(lambda: self._current_view_call("focus_search"))
        self.export_action = QAction(self.tr("&Export view…"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(lambda: self._current_view_call("export_current"))
        self.refresh_action = QAction(self.tr("&Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(lambda: self._current_view_call("refresh"))
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(self.tr("&About rsdesk"), self)
        self.about_action.triggered.connect(self.show_about)
        self.view_actions: list[QAction] = []
        for index, entry in enumerate(self._entries):
            action = QAction(self.tr(entry.title), self)
            if entry.shortcut:
                action.setShortcut(QKeySequence(entry.shortcut))
            action.triggered.connect(lambda _=False, row=index: self.navigation.setCurrentRow(row))
            self.view_actions.append(action)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&File"))
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.export_action)
        self.import_action = QAction(self.tr("&Import spreadsheet…"), self)
        self.import_action.setObjectName("importAction")
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.show_import)
        file_menu.addAction(self.import_action)
        self.audit_workbook_action = QAction(self.tr("Export &audit workbook…"), self)
        self.audit_workbook_action.setObjectName("auditWorkbookAction")
        self.audit_workbook_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.audit_workbook_action.triggered.connect(self.show_export)
        file_menu.addAction(self.audit_workbook_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.file_menu = file_menu
        edit_menu = menu.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.find_action)
        self.edit_menu = edit_menu
        view_menu = menu.addMenu(self.tr("&View"))
        for action in self.view_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        self.view_menu = view_menu
        self.tools_menu = menu.addMenu(self.tr("&Tools"))
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setObjectName("settingsAction")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.show_settings)
        self.tools_menu.addAction(self.settings_action)
        self.responsibilities_action = QAction(self.tr("&Responsibilities…"), self)
        self.responsibilities_action.setObjectName("responsibilitiesAction")
        self.responsibilities_action.triggered.connect(self.show_responsibilities)
        self.tools_menu.addAction(self.responsibilities_action)
        if self.context.is_open:
            self._add_protection_menu()
        self.help_menu = menu.addMenu(self.tr("&Help"))
        self.guide_action = QAction(self.tr("&User guide"), self)
        self.guide_action.setObjectName("guideAction")
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.show_guide)
        self.help_menu.addAction(self.guide_action)
        from PySide6.QtWidgets import QWhatsThis

        self.whats_this_action = QWhatsThis.createAction(self)
        self.whats_this_action.setObjectName("whatsThisAction")
        self.help_menu.addAction(self.whats_this_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

    def _add_protection_menu(self) -> None:
        from rsdesk.ui.protection import add_protection_menu

        self.protection = add_protection_menu(self.context, self, self.tools_menu)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self.new_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.export_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.refresh_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        toolbar.addAction(self.new_action)
        toolbar.addAction(self.export_action)
        toolbar.addAction(self.refresh_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    # -- views --------------------------------------------------------------------------------

    def view(self, key: str) -> View:
        """The view for ``key``, created on first use."""
        if key not in self._views:
            entry = next(e for e in self._entries if e.key == key)
            view = entry.load()(self.context)
            view.setObjectName(f"view_{key}")
            self._views[key] = view
            self.stack.addWidget(view)
        return self._views[key]

    def show_view(self, key: str) -> View:
        row = [e.key for e in self._entries].index(key)
        self.navigation.setCurrentRow(row)
        return self.view(key)

    def current_view(self) -> View | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, View) else None

    def view_keys(self) -> list[str]:
        return [entry.key for entry in self._entries]

    @Slot(int)
    def _on_navigation(self, row: int) -> None:
        if row < 0 or row >= len(self._entries):
            return
        key = self._entries[row].key
        preview = self.context.first_page
        if not self.context.is_open and (preview is None or preview.register != key):
            return  # shown once the database is open (_on_database_opened)
        view = self.view(key)
        self.stack.setCurrentWidget(view)
        # Read-only registers (audit log, appraisals, measures) have nothing to create.
        self.new_action.setEnabled(bool(getattr(view, "can_create", True)))

    @Slot()
    def _on_database_opened(self) -> None:
        """The database behind the start-up preview is open: the views read for real. A view
        that cannot carry on from the preview (its register changed shape) is built again."""
        self._add_protection_menu()
        for key, view in list(self._views.items()):
            carry_on = getattr(view, "database_opened", None)
            if carry_on is None or carry_on():
                continue
            current = self.stack.currentWidget() is view
            del self._views[key]
            self.stack.removeWidget(view)
            view.deleteLater()
            if current:
                self.stack.setCurrentWidget(self.view(key))
        self._on_navigation(self.navigation.currentRow())

    @Slot(str, object)
    def _on_navigate_request(self, key: str, filters: object) -> None:
        if key not in self.view_keys():
            return
        view = self.show_view(key)
        if isinstance(filters, dict):
            view.apply_filters(filters)

    #: Register name -> the view that edits its records (for AppSignals.open_record).
    RECORD_VIEWS = {
        "collaborations": "collaborations",
        "partners": "partners",
        "appraisals": "appraisals",
        "measures": "measures",
        "audit_log": "audit",
    }

    @Slot(str, int)
    def _on_open_record(self, register: str, record_id: int) -> None:
        from rsdesk.ui.views.register_view import RegisterView

        key = self.RECORD_VIEWS.get(register, register)
        if key not in self.view_keys():
            return
        view = self.show_view(key)
        # A view that does not open records itself would only send the request back here.
        if (
            isinstance(view, RegisterView)
            and type(view).open_record is not RegisterView.open_record
        ):
            view.open_record(record_id)

    @Slot(str)
    def _on_status_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _current_view_call(self, hook: str) -> None:
        view = self.current_view()
        if view is not None:
            getattr(view, hook)()

    def show_settings(self) -> None:
        """Tools > Settings…: the institution settings dialog (modal)."""
        from rsdesk.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        dialog.exec()
        dialog.deleteLater()

    def show_responsibilities(self) -> None:
        """Tools > Responsibilities…: research-security roles and sign-off authority (#12)."""
        from rsdesk.ui.dialogs.responsibilities_dialog import ResponsibilitiesDialog

        dialog = ResponsibilitiesDialog(self.context, self)
        dialog.exec()
        dialog.deleteLater()

    def show_import(self) -> None:
        from rsdesk.ui.dialogs.import_dialog import ImportDialog

        ImportDialog(self.context, self).exec()

    def show_export(self) -> None:
        from rsdesk.ui.dialogs.export_dialog import ExportDialog

        ExportDialog(self.context, self).exec()

    def show_guide(self) -> None:
        from rsdesk.ui.dialogs.help_dialog import HelpDialog

        dialog = HelpDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def show_about(self) -> None:
        from rsdesk.ui.dialogs.about_dialog import AboutDialog

        AboutDialog(self.context.db.display_name(), self).exec()

    # -- state --------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = self.context.settings
        geometry = settings.bytes_value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.bytes_value("main/state")
        if state is not None:
            self.restoreState(state)
        splitter = settings.bytes_value("main/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = settings.value("main/view")
        if isinstance(last, str) and last in self.view_keys():
            self.navigation.setCurrentRow(self.view_keys().index(last))

    def save_state(self) -> None:
        settings = self.context.settings
        settings.set_value("main/geometry", self.saveGeometry())
        settings.set_value("main/state", self.saveState())
        settings.set_value("main/splitter", self.splitter.saveState())
        row = self.navigation.currentRow()
        if 0 <= row < len(self._entries):
            settings.set_value("main/view", self._entries[row].key)
        for view in self._views.values():
            view.save_state()
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_editors():
            event.ignore()
            return
        self.save_state()
        self.context.ops.stopping.cancel()
        self.context.ops.wait(10_000)
        super().closeEvent(event)

    def close_editors(self) -> bool:
        """Close every open editor as its own close button would; False if one stays open.

        An editor with unsaved changes asks Save, Discard or Cancel. Cancel keeps it (and this
        window) open. Save starts a write: closing waits for it, and goes on only if the editor
        then closed itself; a save the rules refused leaves it open, showing why.
        """
        ops = self.context.ops

        def still_open(editor: QDialog) -> bool:
            return isValid(editor) and editor.isVisible()

        for editor in self._open_editors():
            if not still_open(editor):
                continue  # closed (or deleted) with the editor it was opened from
            writes_before = ops.writes_started
            if editor.close():
                continue
            while still_open(editor) and ops.writes_started != writes_before:
                writes_before = ops.writes_started
                ops.wait(10_000)
                # Deliver the save's result, which closes the editor (or shows the refusal).
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            if still_open(editor):
                return False
            # What its save set off (the editor that opened a wizard reloads the collaboration's
            # new version) arrives before the next editor saves.
            ops.deliver_reads()
        return True

    def _open_editors(self) -> list[QDialog]:
        """The dialogs open over this window, progress and message boxes aside; a dialog opened
        from another (an appraisal from its collaboration) first, as closing the other deletes it.
        """
        found: list[tuple[int, QDialog]] = []
        for widget in QApplication.topLevelWidgets():
            if (
                not isinstance(widget, QDialog)
                or isinstance(widget, QProgressDialog | QMessageBox)
                or not widget.isVisible()
            ):
                continue
            depth, parent = 0, widget.parentWidget()
            while parent is not None and parent is not self:
                depth, parent = depth + 1, parent.parentWidget()
            if parent is self:
                found.append((depth, widget))
        return [dialog for _depth, dialog in sorted(found, key=lambda pair: -pair[0])]
