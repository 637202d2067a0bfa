"""Find interactive widgets a screen reader would announce without a name.

A control is named when Qt's accessibility layer gives it a name: its own accessible name, its
text (buttons, check boxes), or the label whose buddy it is (Qt reads the buddy's text). Parts
of composite widgets (a combo box's line edit, a spin box's editor, a scroll bar, a view's
header or viewport) are announced through their owner and are not checked on their own.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QStackedWidget,
    QTabBar,
    QTextEdit,
    QWidget,
)

INTERACTIVE = (
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QAbstractItemView,
    QAbstractButton,
    QAbstractSlider,
)
#: Widgets whose children are their own parts.
COMPOSITES = (QComboBox, QAbstractSpinBox, QCalendarWidget, QAbstractItemView, QTabBar)
#: Parts announced through their owner, or by Qt itself.
PARTS = (QScrollBar, QHeaderView, QTabBar)


def _shown(widget: QWidget, root: QWidget) -> bool:
    """Visible, or hidden only because its page is not the current one of a stack (tabs)."""
    current: QWidget | None = widget
    while current is not None and current is not root:
        parent = current.parentWidget()
        if current.isHidden() and not isinstance(parent, QStackedWidget):
            return False
        current = parent
    return True


def _inside_composite(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, COMPOSITES):
            return True
        parent = parent.parentWidget()
    return False


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    name = interface.text(QAccessible.Text.Name) if interface is not None else ""
    if name.strip():
        return name.strip()
    # Some platforms build the buddy's name lazily; the buddy relation is what counts.
    for label in widget.window().findChildren(QLabel):
        if label.buddy() is widget and label.text().replace("&", "").strip():
            return label.text().replace("&", "").strip()
    return ""


def describe(widget: QWidget) -> str:
    name = widget.objectName() or "(no object name)"
    parent = widget.parentWidget()
    owner = ""
    while parent is not None and not owner:
        owner = parent.objectName()
        parent = parent.parentWidget()
    text = ""
    if isinstance(widget, QLineEdit):
        text = f" placeholder={widget.placeholderText()!r}"
    return f"{type(widget).__name__} {name} in {owner or '?'}{text}"


def unnamed_controls(root: QWidget) -> list[str]:
    """Every interactive, shown widget under ``root`` without an accessible name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, PARTS):
            continue
        if _inside_composite(widget, root) or not _shown(widget, root):
            continue
        if not accessible_name(widget):
            missing.append(describe(widget))
    return sorted(missing)
