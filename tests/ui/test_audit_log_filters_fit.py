"""The audit log's date filters at narrow widths: a tester's 800-pixel screenshot had "From:" at
the end of one row and its date field at the start of the next."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel

pytestmark = pytest.mark.ui


def _top_left(widget, view) -> QPoint:  # type: ignore[no-untyped-def]
    return widget.mapTo(view, QPoint(0, 0))


@pytest.mark.parametrize("width", [560, 640, 800, 1280])
def test_each_date_label_stays_on_its_fields_row(qtbot, context, width: int) -> None:
    from rsdesk.ui.views.audit_log import AuditLogView

    view = AuditLogView(context)
    qtbot.addWidget(view)
    view.resize(width, 600)
    with qtbot.waitSignal(view.model.loaded, timeout=10_000):
        view.show()  # and let its first page load before the view goes
    qtbot.waitExposed(view)
    for field in (view.since_edit, view.until_edit):
        label = next(child for child in view.findChildren(QLabel) if child.buddy() is field)
        label_at, field_at = _top_left(label, view), _top_left(field, view)
        # Same row, label just left of its field.
        assert abs(label_at.y() - field_at.y()) < field.height(), (width, label.text())
        assert label_at.x() < field_at.x()
        assert field_at.x() - (label_at.x() + label.width()) < 20
        assert field_at.x() + field.width() <= view.width()
