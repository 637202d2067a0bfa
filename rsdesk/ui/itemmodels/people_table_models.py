"""Qt table models of the people views: staff register rows, a checklist, the training matrix and
compliance per department. They hold what a service returned (tuples and frozen dataclasses) and
never query the database themselves.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from rsdesk.models.enums import CheckStatus
from rsdesk.services.onboarding import CheckItem
from rsdesk.services.registers.base import (
    BOOL,
    DATE,
    ENUM,
    STATUS,
    TEXT,
    RegisterSpec,
    sort_value,
)
from rsdesk.services.registers.labels import enum_label
from rsdesk.services.training import (
    STATUS_LABELS,
    DepartmentCompliance,
    TrainingMatrix,
    TrainingStatus,
    name_sort_key,
)
from rsdesk.ui.widgets.badges import badge_colours

SortRole = Qt.ItemDataRole.UserRole + 1
RowIdRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3
Index = QModelIndex | QPersistentModelIndex

#: Onboarding state -> badge hue (``widgets.badges.HUES``), so the tint follows the palette.
ONBOARDING_BADGES = {"overdue": "overdue", "open": "open", "complete": "done", "left": "left"}
CHECK_STATUS_LABELS = {
    CheckStatus.OPEN: "Open",
    CheckStatus.DONE: "Done",
    CheckStatus.WAIVED: "Waived",
    CheckStatus.NOT_APPLICABLE: "Not applicable",
}


#: (hue, palette base colour) -> badge colours; the matrix asks for them for every painted cell.
_BADGE_CACHE: dict[tuple[str, int], tuple[QColor, QColor] | None] = {}


def _badge(hue: str, role: int) -> QBrush | None:
    """The badge's background or text colour for ``role``, mixed from the current palette."""
    if role not in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
        return None
    palette = QApplication.palette()
    key = (hue, palette.color(QPalette.ColorRole.Base).rgba())
    if key not in _BADGE_CACHE:
        _BADGE_CACHE[key] = badge_colours(hue, palette)
    colours = _BADGE_CACHE[key]
    if colours is None:
        return None
    return QBrush(colours[0] if role == Qt.ItemDataRole.BackgroundRole else colours[1])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return (
        str(value).replace("_", " ") if isinstance(value, str) and value.islower() else str(value)
    )


class RegisterRowsTableModel(QAbstractTableModel):
    """Rows of one register fetched by a service (``(id, value...)`` tuples), shown as a table."""

    def __init__(self, spec: RegisterSpec, keys: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.columns = [spec.column(key) for key in keys]
        self._rows: list[tuple[Any, ...]] = []
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._sort_rows()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python with one key per row: a sorting proxy asked ``data(SortRole)`` some
        280,000 times for 3,900 people, freezing the window 0.3-0.7 s on every keystroke."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = [row[0] for row in self._rows]
        self._sort_rows()
        after = {row[0]: number for number, row in enumerate(self._rows)}
        for index in self.persistentIndexList():
            moved = after[before[index.row()]]
            self.changePersistentIndex(index, self.index(moved, index.column()))
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        if not 0 <= self._sort_column < len(self.columns):
            return
        column, position = self.columns[self._sort_column], self._sort_column + 1

        def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
            value = row[position]
            return (1, "") if value is None else (0, sort_value(column, value))

        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        self._rows.sort(key=key, reverse=descending)

    def row_id(self, row: int) -> int:
        return int(self._rows[row][0])

    def row_of(self, record_id: int) -> int:
        for number, row in enumerate(self._rows):
            if row[0] == record_id:
                return number
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            # Headings line up with their cells, as in the other registers.
            return int(_alignment(self.columns[section].kind))
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        value = row[index.column() + 1]
        if role == Qt.ItemDataRole.DisplayRole:
            if column.kind == BOOL:
                return "yes" if value else ""
            if column.key == "onboarding":
                return {
                    "overdue": "Overdue",
                    "open": "Open",
                    "complete": "Complete",
                    "left": "Left",  # shown with "Show people who left"; checks no longer count
                }.get(value, _text(value))
            if column.kind in (ENUM, STATUS) and value is not None:
                return enum_label(value)
            return _text(value)
        if role == SortRole:
            return sort_value(column, value) if value is not None else ""
        if role == RowIdRole:
            return row[0]
        if role == Qt.ItemDataRole.ToolTipRole and column.kind == TEXT and value:
            return str(value)  # the whole name or department where the column cuts it
        if column.key == "onboarding" and value in ONBOARDING_BADGES:
            colour = _badge(ONBOARDING_BADGES[value], role)
            if colour is not None:
                return colour
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("int", DATE):
            return int(_alignment(column.kind))
        return None


def _alignment(kind: str) -> Qt.AlignmentFlag:
    side = Qt.AlignmentFlag.AlignRight if kind in ("int", DATE) else Qt.AlignmentFlag.AlignLeft
    return side | Qt.AlignmentFlag.AlignVCenter


class ChecklistTableModel(QAbstractTableModel):
    """One person's onboarding checks."""

    #: "Note" as the field under the table that fills it ("Evidence / reason" was cut to
    #: "vidence / reaso" in a panel 1280 pixels wide); the heading's tooltip says what it holds.
    HEADERS = ("Check", "Due", "Status", "By", "On", "Note")
    HEADER_TIPS = {3: "Who closed the check", 5: "The evidence, or the reason for a waiver"}

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[CheckItem] = []
        self.today = dt.date.today()

    def set_items(self, items: Sequence[CheckItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.today = dt.date.today()
        self.endResetModel()

    def item(self, row: int) -> CheckItem:
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS.get(section)
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        overdue = item.overdue(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.title
            if column == 1:
                return _text(item.due_date)
            if column == 2:
                return "Overdue" if overdue else CHECK_STATUS_LABELS[item.status]
            if column == 3:
                return item.completed_by or ""
            if column == 4:
                return _text(item.completed_on)
            return item.waiver_reason or item.evidence_note or ""
        if role == RowIdRole:
            return item.id
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return item.title  # the full title when the column elides it
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return item.completed_by or None  # a login cut to the column's width
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return item.waiver_reason or item.evidence_note or None
        if column == 2 and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            key = (
                "overdue" if overdue else "open" if item.status == CheckStatus.OPEN else "complete"
            )
            return _badge(ONBOARDING_BADGES[key], role)
        return None


class TrainingMatrixTableModel(QAbstractTableModel):
    """People (rows) x courses (columns after the fixed ones), each cell coloured by status."""

    FIXED = ("Name", "Department")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.matrix: TrainingMatrix | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_matrix(self, matrix: TrainingMatrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def status(self, row: int, column: int) -> TrainingStatus | None:
        assert self.matrix is not None
        return self.matrix.rows[row].statuses[column - len(self.FIXED)]

    def course_column(self, course_id: int) -> int:
        assert self.matrix is not None
        return [c.id for c in self.matrix.courses].index(course_id) + len(self.FIXED)

    def row_of(self, staff_id: int) -> int:
        assert self.matrix is not None
        for number, row in enumerate(self.matrix.rows):
            if row.staff_id == staff_id:
                return number
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.matrix is None:
            return 0
        return len(self.matrix.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.matrix is None:
            return 0
        return len(self.FIXED) + len(self.matrix.courses)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if self.matrix is None or orientation != Qt.Orientation.Horizontal:
            return None
        fixed = len(self.FIXED)
        if role == Qt.ItemDataRole.DisplayRole:
            if section < fixed:
                return self.FIXED[section]
            # Two short lines instead of one elided long one (the header grows to fit).
            name = self.matrix.courses[section - fixed].name.replace(" and ", " & ")
            return textwrap.fill(name, 18, max_lines=3, placeholder="…")
        if role == Qt.ItemDataRole.ToolTipRole and section >= fixed:
            course = self.matrix.courses[section - fixed]
            every = f"every {course.refresh_months} months" if course.refresh_months else "once"
            return f"{course.name} ({every}); required for {course.audience.describe()}"
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        row = self.matrix.rows[index.row()]
        column = index.column()
        fixed = len(self.FIXED)
        if column < fixed:
            if role == SortRole and column == 0:
                return name_sort_key(row.full_name)  # the matrix's own order: "Ł" among the L's
            if role in (Qt.ItemDataRole.DisplayRole, SortRole):
                return row.full_name if column == 0 else (row.department or "")
            if role == RowIdRole:
                return row.staff_id
            return None
        status = row.statuses[column - fixed]
        expires = row.expiries[column - fixed]
        if role == Qt.ItemDataRole.DisplayRole:
            return STATUS_LABELS[status] if status is not None else ""
        if role == StatusRole:
            return status.value if status is not None else ""
        if role == SortRole:
            order = (TrainingStatus.EXPIRED, TrainingStatus.MISSING, TrainingStatus.EXPIRING,
                     TrainingStatus.CURRENT)  # fmt: skip
            return order.index(status) if status is not None else 9
        if role == RowIdRole:
            return row.staff_id
        if status is None:
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Not required for this role and research"
            return None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            return _badge(status.value, role)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if status == TrainingStatus.MISSING:
                return "Never completed"
            if expires is None:
                return "Completed; does not expire"
            return f"{STATUS_LABELS[status]}: counts until {expires.isoformat()}"
        return None


class ComplianceTableModel(QAbstractTableModel):
    HEADERS = ("Department", "People", "Required", "Current", "Expiring", "Expired", "Missing",
               "Compliant")  # fmt: skip

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[DepartmentCompliance] = []

    def set_items(self, items: Sequence[DepartmentCompliance]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        values = (item.department, item.people, item.required, item.current, item.expiring,
                  item.expired, item.missing, item.percent)  # fmt: skip
        value = values[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 7:
                return "–" if value is None else f"{value:.0f} %"
            return str(value)
        if role == SortRole:
            return value if value is not None else -1
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        colour_roles = (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
        if role in colour_roles and index.column() == 7 and value is not None:
            share = float(value)
            key = "complete" if share >= 90 else "open" if share >= 70 else "overdue"
            # The text colour goes with the tint: on a dark palette the default (light) text
            # was unreadable on the pale background.
            return _badge(ONBOARDING_BADGES[key], role)
        return None
