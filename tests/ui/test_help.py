"""Help: the user guide dialog, the Help menu and the About box."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication

from rsdesk import __version__
from rsdesk.db import Database
from rsdesk.resources import resource_path
from rsdesk.ui.dialogs import about_dialog
from rsdesk.ui.dialogs.about_dialog import AboutDialog
from rsdesk.ui.dialogs.help_dialog import HelpDialog, user_guide_path

#: What the issue says the guide must explain.
TOPICS = ("getting started", "register", "appraisal", "screening", "people", "report", "excel")


def test_the_guide_covers_each_topic_and_its_contents_jump_to_sections(qtbot):
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    sections = [title.lower() for title in dialog.sections()]
    for topic in TOPICS + ("backups",):
        assert any(topic in title for title in sections), topic
    # Rendered as rich text, not shown as Markdown source.
    plain = dialog.browser.toPlainText()
    assert "## " not in plain
    assert "Getting started" in plain
    bar = dialog.browser.verticalScrollBar()
    assert bar.maximum() > 0
    dialog.show_section(dialog.sections()[-1])
    last = bar.value()
    assert last > 0
    dialog.show_section(dialog.sections()[0])
    assert bar.value() < last


def test_the_guide_is_the_shipped_docs_file():
    path = user_guide_path()
    assert path.name == "user-guide.md"
    assert path.read_text(encoding="utf-8").startswith("# rsdesk user guide")


def test_help_menu_opens_the_guide_and_the_about_box(qtbot, main_window, monkeypatch):
    window = main_window
    actions = [action for action in window.help_menu.actions() if not action.isSeparator()]
    assert actions[0] is window.guide_action
    assert window.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert window.whats_this_action in actions
    assert window.about_action in actions

    window.guide_action.trigger()
    guides = [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpDialog)]
    assert len(guides) == 1
    assert guides[0].isVisible()
    guides[0].close()

    shown: list[AboutDialog] = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self) or 0)
    window.about_action.trigger()
    assert len(shown) == 1
    assert shown[0].database_location == window.context.db.display_name()


def test_about_names_version_database_and_licences(qtbot, db: Database):
    dialog = AboutDialog(db.display_name())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.values["Version"] == __version__
    assert dialog.values["Database"] == str(db.path)
    rows = {}
    for index in range(dialog.components.topLevelItemCount()):
        item = dialog.components.topLevelItem(index)
        rows[item.text(0).lower()] = (item.text(1), item.text(2))
    for name, licence in (
        ("pyside6", "LGPL"),
        ("sqlalchemy", "MIT"),
        ("openpyxl", "MIT"),
        ("reportlab", "BSD"),
    ):
        assert name in rows, name
        assert licence in rows[name][1], (name, rows[name])
        assert rows[name][0] == metadata.version(name)
    # Every font embedded in PDFs is listed with its licence file, and that file is shipped.
    fonts = dialog.fonts.toPlainText()
    for font in resource_path("fonts").glob("*.ttf"):
        assert font.name in fonts, font.name
    for licence in resource_path("fonts").glob("LICENSE-*.txt"):
        assert licence.name in fonts or licence.name == "LICENSE-Apache-2.0.txt"
    dialog.copy_details()
    assert str(db.path) in QGuiApplication.clipboard().text()
    assert __version__ in QGuiApplication.clipboard().text()


def test_licence_falls_back_when_metadata_has_none(monkeypatch):
    class Empty(dict):
        def get_all(self, _key):
            return []

    monkeypatch.setattr(about_dialog.metadata, "metadata", lambda name: Empty(Name=name))
    found = {item.name: item for item in about_dialog.components()}
    assert found["PySide6"].licence == "LGPL-3.0-only"
    assert not found["PySide6"].from_metadata


def test_every_form_field_named_in_the_help_table_exists_and_gets_help(qtbot, context):
    from PySide6.QtWidgets import QWidget

    from rsdesk.ui import field_help
    from rsdesk.ui.dialogs.collaboration_dialog import CollaborationDialog
    from rsdesk.ui.dialogs.partner_dialog import PartnerDialog

    filter_ = field_help.FieldHelp()
    QApplication.instance().installEventFilter(filter_)
    try:
        for dialog in (CollaborationDialog(context, None), PartnerDialog(context, None)):
            qtbot.addWidget(dialog)
            table = field_help.FIELD_HELP[dialog.objectName()]
            dialog.show()  # the application filter adds the help on the first show
            assert dialog.property(field_help.APPLIED)
            for key, (tooltip, _) in table.items():
                widget = dialog.findChild(QWidget, key)
                assert widget is not None, f"{dialog.objectName()} has no field {key}"
                assert widget.toolTip()
                assert tooltip in widget.whatsThis()
            first = dialog.findChild(QWidget, next(iter(table)))
            first.setToolTip("changed by hand")
            assert field_help.apply(dialog) == len(table)
            assert first.toolTip() == "changed by hand"  # a form's own help is kept
            dialog.close()
    finally:
        QApplication.instance().removeEventFilter(filter_)
