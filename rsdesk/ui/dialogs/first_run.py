"""First run: a short set-up instead of an empty window.

Shown when the database has never been set up (no institution name and no records). Three pages:
the institution (name and logo), where to keep the database (here, another file, or a server),
and how to start (sample data, empty, or import a spreadsheet). Finishing applies the choice
(:func:`apply_choice`: opens the chosen database, remembers it in the user's config file, saves
the name and logo); a failure (an unreachable server, a bad file) is shown on the last page and
the wizard stays open. A database file can be protected with a passphrase from the start (the
second page; it is encrypted in place before anything else is written to it).

After the main window opens, :func:`start` loads the sample data in a worker with progress, or
opens the import dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from rsdesk import paths
from rsdesk.db import Database, encryption, open_database
from rsdesk.db.engine import resolve_url, sqlite_path
from rsdesk.services import encryption as protection
from rsdesk.services import settings as settings_service
from rsdesk.services.errors import KnownError
from rsdesk.ui.dialogs.passphrase_dialog import password_field, remember_checkbox

START_SAMPLE = "sample"
START_EMPTY = "empty"
START_IMPORT = "import"
DEFAULT_SAMPLE_SIZE = 500
LOGO_PREVIEW = (160, 64)


def needs_first_run(db: Database) -> bool:
    """True for a database that was never set up: no institution name and no records."""
    with db.read() as session:
        return not settings_service.is_set_up(session)


def location_of(db: Database) -> str:
    """The database's file path, or its server URL without the password."""
    path = sqlite_path(db.url)
    return str(path) if path else db.url.render_as_string(hide_password=True)


@dataclass(frozen=True)
class FirstRunChoice:
    institution_name: str
    logo: bytes | None = None
    #: Another database (a file path or a server URL); None keeps the one already open.
    database: str | None = None
    start: str = START_EMPTY
    sample_size: int = DEFAULT_SAMPLE_SIZE
    #: Protect the database file with this passphrase (an existing encrypted file: opens it).
    passphrase: str | None = None
    #: Remember the passphrase in the system keyring.
    remember: bool = False


def apply_choice(
    choice: FirstRunChoice,
    db: Database,
    *,
    lock_writes: bool = False,
    notify: Callable[[str], None] | None = None,
) -> Database:
    """Open the chosen database (remembering it), save the name and logo; return the database.

    A chosen database that is already set up (named, or holding records) is opened as it is:
    its name and logo are not replaced. ``db`` is disposed when another database was chosen and
    opened (with ``lock_writes``, its
    writer lock is taken). Raises KnownError (and leaves ``db`` open and nothing remembered) when
    the chosen database cannot be opened or another rsdesk writes to it. A server password is
    remembered in the system keyring, never in the config file; ``notify`` is told when it could
    not be remembered.
    """
    name = choice.institution_name.strip()
    if not name:
        raise KnownError("Enter the institution's name.")
    logo = settings_service.validate_logo(choice.logo) if choice.logo is not None else None
    if choice.passphrase is not None:
        protection.check_new_passphrase(choice.passphrase)
    target = db
    if choice.database is not None:
        _refuse_unknown_encrypted(choice)
        target = open_database(
            choice.database, lock_writes=lock_writes, passphrase=choice.passphrase
        )
    try:
        if target is not db and lock_writes:
            target.acquire_writer_lock()
        # An office database that is already set up keeps its own name and logo.
        if target is db or needs_first_run(target):
            with target.unit_of_work() as session:
                settings_service.save(session, institution_name=name)
                if logo is not None:
                    settings_service.set_logo(session, choice.logo or b"")
        if choice.passphrase is not None:
            protect(target, choice.passphrase, remember=choice.remember)
    except BaseException:
        if target is not db:
            target.dispose()
        raise
    if target is not db:
        note = paths.remember_database(choice.database or "")
        if note and notify is not None:
            notify(note)
        db.dispose()
    return target


def _refuse_unknown_encrypted(choice: FirstRunChoice) -> None:
    """An encrypted file chosen without a passphrase: say so (never ask on a terminal)."""
    path = sqlite_path(resolve_url(choice.database))
    if path is not None and choice.passphrase is None and encryption.is_encrypted(path):
        raise KnownError(
            f"{path.name} is protected with a passphrase: tick 'Protect the database with a "
            "passphrase' and enter its passphrase."
        )


def protect(db: Database, passphrase: str, *, remember: bool = False) -> None:
    """Encrypt the open database file in place (unless it already is) and continue on it."""
    path = db.path
    if path is None:
        raise KnownError("A server database is protected by the server, not by a passphrase.")
    if not encryption.is_encrypted_engine(db.engine):
        db.engine.dispose()
        protection.encrypt_in_place(path, passphrase, lock_held=db.holds_writer_lock)
        db.use_engine(encryption.make_encrypted_engine(path, passphrase))
    if remember:
        protection.remember_passphrase(path, passphrase)


# --- pages -----------------------------------------------------------------------------------


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class InstitutionPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Welcome to rsdesk: your institution"))
        self.setSubTitle(self.tr("Its name and logo appear on reports and exported workbooks."))
        self.logo: bytes | None = None
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("institutionName")
        self.name_edit.setMaxLength(settings_service.spec("institution_name").max_length or 200)
        self.name_edit.setPlaceholderText(self.tr("e.g. University of Example"))
        self.name_edit.setToolTip(self.tr("The institution's name as reports should show it."))
        self.name_edit.setWhatsThis(
            self.tr(
                "The name of your university or institute. It is printed on the annual report, "
                "appraisal records and the cover sheet of exported workbooks. You can change it "
                "later in Tools > Settings."
            )
        )
        self.registerField("institutionName*", self.name_edit)

        self.logo_preview = QLabel(self.tr("No logo"))
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setFixedSize(*LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        choose = QPushButton(self.tr("&Choose…"))
        choose.setObjectName("chooseLogo")
        choose.setToolTip(self.tr("A PNG or JPEG file of at most 512 KB."))
        choose.clicked.connect(self._choose_logo)
        self.logo_error = QLabel()
        self.logo_error.setObjectName("logoError")
        self.logo_error.setStyleSheet("color: #b00020;")
        self.logo_error.setWordWrap(True)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(choose, 0, Qt.AlignmentFlag.AlignTop)
        logo_row.addStretch(1)

        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("Logo (optional):"), logo_row)
        form.addRow("", self.logo_error)

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the logo"), "", self.tr("Images (*.png *.jpg *.jpeg)")
        )
        if path:
            self.set_logo_file(path)

    def set_logo_file(self, path: str | Path) -> bool:
        """Load and check a logo file; a refused file is explained under the preview."""
        try:
            data = Path(path).read_bytes()
            settings_service.validate_logo(data)
        except OSError as exc:
            self.logo_error.setText(self.tr("Cannot read {0}: {1}").format(path, exc.strerror))
            return False
        except KnownError as exc:
            self.logo_error.setText(str(exc))
            return False
        self.logo = data
        self.logo_error.clear()
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        self.logo_preview.setPixmap(
            pixmap.scaled(
                *LOGO_PREVIEW,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        return True


class DatabasePage(QWizardPage):
    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Where to keep the data"))
        self.setSubTitle(
            self.tr("One file on this computer is right for most offices; a shared server lets ")
            + self.tr("several officers work on the same register.")
        )
        self.here = QRadioButton(self.tr("On &this computer (recommended)"))
        self.here.setObjectName("locationHere")
        self.here.setChecked(True)
        self.here_path = _note(current)
        self.here_path.setObjectName("currentLocation")
        self.here_path.setIndent(24)
        self.file = QRadioButton(self.tr("In &another file"))
        self.file.setObjectName("locationFile")
        self.file.setToolTip(self.tr("For example on a drive that is backed up."))
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("locationFilePath")
        self.file_edit.setPlaceholderText(self.tr("a new or existing .sqlite3 file"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        self.server = QRadioButton(self.tr("On a PostgreSQL &server"))
        self.server.setObjectName("locationServer")
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("locationServerUrl")
        self.server_edit.setPlaceholderText("postgresql://user@host/rsdesk")
        self.server_edit.setToolTip(self.tr("Your IT department gives you this address."))
        self.server_edit.setWhatsThis(
            self.tr(
                "The address of a shared PostgreSQL database, in the form "
                "postgresql://user:password@host:5432/database. The database must exist; rsdesk "
                "creates its tables. The password is kept in the system keyring, never in "
                "rsdesk's settings file; without a keyring, set PGPASSWORD or use ~/.pgpass."
            )
        )
        self.group = QButtonGroup(self)
        for button in (self.here, self.file, self.server):
            self.group.addButton(button)
            button.toggled.connect(self._sync)
        self.file_edit.textChanged.connect(self.completeChanged)
        self.server_edit.textChanged.connect(self.completeChanged)
        self.error = QLabel()
        self.error.setObjectName("locationError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.protect = QCheckBox(self.tr("&Protect the database with a passphrase"))
        self.protect.setObjectName("protectDatabase")
        self.protect.setWhatsThis(
            self.tr(
                "Encrypts the database file, so that a lost or stolen laptop does not give the "
                "register away. rsdesk asks for the passphrase at every start; without it "
                "nobody (you included) can read the file, so keep it somewhere safe."
            )
        )
        self.passphrase = password_field("firstRunPassphrase")
        self.passphrase.setPlaceholderText(
            self.tr("at least {0} characters").format(protection.MIN_PASSPHRASE_LENGTH)
        )
        self.confirmation = password_field("firstRunConfirmation")
        self.remember = remember_checkbox()
        self.protect.toggled.connect(self._sync_protection)
        protection_form = QFormLayout()
        protection_form.setContentsMargins(24, 0, 0, 0)
        protection_form.addRow(self.tr("Pa&ssphrase:"), self.passphrase)
        protection_form.addRow(self.tr("Repeat i&t:"), self.confirmation)
        protection_form.addRow("", self.remember)

        file_row = QHBoxLayout()
        file_row.setContentsMargins(24, 0, 0, 0)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        server_row = QHBoxLayout()
        server_row.setContentsMargins(24, 0, 0, 0)
        server_row.addWidget(self.server_edit, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.here)
        layout.addWidget(self.here_path)
        layout.addWidget(self.file)
        layout.addLayout(file_row)
        layout.addWidget(self.server)
        layout.addLayout(server_row)
        layout.addSpacing(8)
        layout.addWidget(self.protect)
        layout.addLayout(protection_form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._browse_button = browse
        self._remember_available = self.remember.isEnabled()
        self._sync()

    def _sync(self) -> None:
        self.file_edit.setEnabled(self.file.isChecked())
        self._browse_button.setEnabled(self.file.isChecked())
        self.server_edit.setEnabled(self.server.isChecked())
        file_database = not self.server.isChecked()
        self.protect.setEnabled(file_database)
        self.protect.setToolTip(
            ""
            if file_database
            else self.tr("A server database is protected by the server, not by a passphrase.")
        )
        if not file_database:
            self.protect.setChecked(False)
        self._sync_protection()
        self.error.clear()
        self.completeChanged.emit()

    def _sync_protection(self) -> None:
        on = self.protect.isChecked()
        self.passphrase.setEnabled(on)
        self.confirmation.setEnabled(on)
        self.remember.setEnabled(on and self._remember_available)

    def chosen_passphrase(self) -> str | None:
        return self.passphrase.text() if self.protect.isChecked() else None

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Database file"),
            str(paths.default_database_path().parent),
            self.tr("rsdesk databases (*.sqlite3);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.file_edit.setText(path)

    def location(self) -> str | None:
        if self.file.isChecked():
            return self.file_edit.text().strip()
        if self.server.isChecked():
            return self.server_edit.text().strip()
        return None

    def isComplete(self) -> bool:
        return self.location() != ""

    def validatePage(self) -> bool:
        location = self.location()
        if self.protect.isChecked():
            try:
                protection.check_new_passphrase(self.passphrase.text(), self.confirmation.text())
            except KnownError as exc:
                self.error.setText(str(exc))
                return False
        if location is None:
            return True
        if self.server.isChecked() and not location.startswith(("postgresql", "postgres")):
            self.error.setText(self.tr("A server address starts with postgresql://"))
            return False
        try:
            resolve_url(location)
        except KnownError as exc:
            self.error.setText(str(exc))
            return False
        return True


class StartPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("How to start"))
        self.setSubTitle(
            self.tr("You can import more records at any time (File › Import spreadsheet).")
        )
        self.sample = QRadioButton(self.tr("Load &sample data to try rsdesk out"))
        self.sample.setObjectName("startSample")
        self.sample.setToolTip(
            self.tr("A made-up institution; start again with a new file for real work.")
        )
        self.sample_size = QSpinBox()
        self.sample_size.setObjectName("sampleSize")
        self.sample_size.setRange(10, 20_000)
        self.sample_size.setSingleStep(100)
        self.sample_size.setValue(DEFAULT_SAMPLE_SIZE)
        self.sample_size.setSuffix(self.tr(" collaborations"))
        self.empty = QRadioButton(self.tr("Start with an &empty register"))
        self.empty.setObjectName("startEmpty")
        self.empty.setChecked(True)
        self.spreadsheet = QRadioButton(self.tr("&Import a spreadsheet (Excel or CSV)"))
        self.spreadsheet.setObjectName("startImport")
        self.spreadsheet.setToolTip(
            self.tr("Opens the import dialog: you see every row's problems before importing.")
        )
        self.group = QButtonGroup(self)
        for button in (self.sample, self.empty, self.spreadsheet):
            self.group.addButton(button)
        self.sample.toggled.connect(self.sample_size.setEnabled)
        self.sample_size.setEnabled(False)
        self.error = QLabel()
        self.error.setObjectName("applyError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        size_row = QHBoxLayout()
        size_row.setContentsMargins(24, 0, 0, 0)
        size_row.addWidget(self.sample_size)
        size_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sample)
        layout.addLayout(size_row)
        layout.addWidget(self.empty)
        layout.addWidget(self.spreadsheet)
        layout.addStretch(1)
        layout.addWidget(self.error)

    def start(self) -> str:
        if self.sample.isChecked():
            return START_SAMPLE
        if self.spreadsheet.isChecked():
            return START_IMPORT
        return START_EMPTY


class FirstRunWizard(QWizard):
    """The set-up; after ``exec()`` returns Accepted, :attr:`database` is the database to use."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FirstRunWizard")
        self.setWindowTitle(self.tr("Welcome to rsdesk"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.database = db
        self.opened_existing = False
        #: The app holds the writer lock of its database: take the chosen one's too.
        self.lock_writes = db.holds_writer_lock
        self.institution = InstitutionPage()
        self.location = DatabasePage(location_of(db))
        self.starting = StartPage()
        for page in (self.institution, self.location, self.starting):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Start"))
        self.resize(620, 440)

    def choice(self) -> FirstRunChoice:
        return FirstRunChoice(
            institution_name=self.institution.name_edit.text().strip(),
            logo=self.institution.logo,
            database=self.location.location(),
            start=self.starting.start(),
            sample_size=self.starting.sample_size.value(),
            passphrase=self.location.chosen_passphrase(),
            remember=self.location.remember.isChecked(),
        )

    def accept(self) -> None:
        try:
            database = apply_choice(
                self.choice(), self.database, lock_writes=self.lock_writes, notify=self._inform
            )
            #: True when the chosen database was already set up: nothing to load or import.
            self.opened_existing = database is not self.database and not needs_first_run(database)
            self.database = database
        except KnownError as exc:
            self.starting.error.setText(str(exc))
            return
        super().accept()

    def _inform(self, note: str) -> None:
        QMessageBox.information(self, self.tr("Server password"), note)


# --- after the main window opens ------------------------------------------------------------


def start(choice: FirstRunChoice, context: object, window: QWidget) -> object | None:
    """Load the sample data (a worker with progress) or open the import dialog; else nothing."""
    from rsdesk.ui.context import AppContext

    assert isinstance(context, AppContext)
    if choice.start == START_SAMPLE:
        from rsdesk.models import Base
        from rsdesk.services import demo
        from rsdesk.ui.ops import show_error

        db = context.db
        return context.ops.job(
            window.tr("Loading sample data"),
            lambda progress, cancel: demo.generate(
                db, size=choice.sample_size, progress=progress, cancel=cancel
            ),
            on_error=lambda exc: show_error(window, exc),
            touches=frozenset(Base.metadata.tables),
        )
    if choice.start == START_IMPORT:
        from rsdesk.ui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(context, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
    return None
