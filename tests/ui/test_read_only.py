"""A second window on a database another rsdesk writes is read-only, and says so."""

from rsdesk.models import Department
from rsdesk.services.errors import ReadOnlyError


def test_read_only_window_shows_banner_and_refuses_writes(qtbot, context):
    from PySide6.QtWidgets import QLabel

    from rsdesk.ui.app import add_read_only_banner
    from rsdesk.ui.main_window import MainWindow

    context.db.read_only = True
    window = MainWindow(context)
    qtbot.addWidget(window)
    add_read_only_banner(window)
    window.show()
    label = window.findChild(QLabel, "readOnlyLabel")
    assert label is not None
    assert label.isVisible()
    assert "read-only" in window.windowTitle()

    errors = []
    context.ops.write(
        lambda session: session.add(Department(name="Optics")), on_error=errors.append
    )
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ReadOnlyError)
    with context.db.read() as session:
        assert session.query(Department).count() == 0
