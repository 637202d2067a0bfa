"""The dashboard: the morning figures as tiles, three charts and the due-soon list.

Everything is computed by :mod:`rsdesk.services.dashboard` in a background query; this view only
lays it out. A tile (click, Enter or Space) and a donut slice open the register filtered to the
records behind the figure, through ``signals.navigate``. The due-soon list exports to an .ics
calendar file for the officer's calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QFont, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from rsdesk.services import dashboard as dashboard_service
from rsdesk.services import reminders
from rsdesk.services import settings as settings_service
from rsdesk.services.dashboard import DUE_KIND_LABELS, Dashboard, DueItem
from rsdesk.services.errors import KnownError
from rsdesk.ui.context import AppContext
from rsdesk.ui.views import available_views
from rsdesk.ui.views.base import View
from rsdesk.ui.widgets.charts import BarChart, PercentBars, RiskDonut
from rsdesk.ui.widgets.tiles import FigureTile, tone_colour

#: The tiles, in reading order (figure keys of the dashboard service).
TILE_KEYS = (
    "active",
    "appraisals_draft",
    "reviews_overdue",
    "reviews_due30",
    "measures_open",
    "measures_overdue",
    "checks_overdue",
    "training_compliance",
    "screening_pending",
    "screening_confirmed",
    "access_without_briefing",
    "access_after_leaving",
    "safeguards_overdue",
)
#: Most tiles a row, widest first: six fit a 1280-pixel window at 100 % and 150 %; a narrower
#: window takes four or three a row rather than squeeze the labels (rows evened out, see
#: ``_arrange_tiles``).
TILE_COLUMNS = (6, 4, 3)
#: Narrowest a tile may get, in average character widths ("Safeguards overdue for" on a line).
TILE_MIN_CHARS = 19
#: Most due-soon dates listed on screen (filling the list costs time); the summary says how many
#: more there are, and the calendar export writes every one of them.
DUE_LIMIT = 500
#: Departments shown in the compliance chart (the lowest first).
CHART_DEPARTMENTS = 8


@dataclass(frozen=True)
class DashboardData:
    board: Dashboard
    due: list[DueItem]
    horizon_days: int
    institution: str
    logo: bytes | None = None


def load_dashboard(session: Session) -> DashboardData:
    """Runs in a worker thread: everything the view shows, in one read session."""
    current = settings_service.load(session)
    return DashboardData(
        dashboard_service.compute(session),
        # Every date in the horizon: the .ics export writes them all (2,762 dates of the
        # 100,000 demo read in 0.15 s); only the list on screen stops at DUE_LIMIT.
        dashboard_service.due_soon(session, days=current.review_reminder_days, limit=None),
        current.review_reminder_days,
        current.institution_name,
        current.logo.data if current.logo else None,
    )


class DashboardView(View):
    watches = frozenset(
        {
            "collaboration",
            "appraisal",
            "mitigation_measure",
            "onboarding_check",
            "staff_member",
            "training_record",
            "training_course",
            "screening_result",
            "setting",
            "sensitive_asset",
            "asset_safeguard",
            "access_grant",
        }
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.data: DashboardData | None = None
        self._generation = 0
        self._views = {entry.key: entry.title for entry in available_views()}

        page = QWidget()
        page.setObjectName("dashboardPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(18, 14, 18, 18)
        layout.setSpacing(14)

        header = QHBoxLayout()
        self.title_label = QLabel(self.tr("Dashboard"))
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.6)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.title_label.setFont(title_font)
        self.status_label = QLabel(self.tr("Loading…"))
        self.status_label.setObjectName("dashboardStatus")
        self.status_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.logo_label = QLabel()
        self.logo_label.setObjectName("institutionLogo")
        self.logo_label.setAccessibleName(self.tr("Institution logo"))
        self.logo_label.hide()
        header.addWidget(self.logo_label, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(header)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.tile_grid = grid
        self.tile_columns = 0
        self.tiles: dict[str, FigureTile] = {}
        labels = {
            "active": self.tr("Active collaborations"),
            "appraisals_draft": self.tr("Appraisals awaiting a decision"),
            "reviews_overdue": self.tr("Reviews overdue"),
            "reviews_due30": self.tr("Reviews due in 30 days"),
            "measures_open": self.tr("Open mitigation measures"),
            "measures_overdue": self.tr("Measures overdue"),
            "checks_overdue": self.tr("Onboarding checks overdue"),
            "training_compliance": self.tr("Training compliance"),
            "screening_pending": self.tr("Screening hits to review"),
            "screening_confirmed": self.tr("Confirmed screening matches"),
            "access_without_briefing": self.tr("Access without a current briefing"),
            "access_after_leaving": self.tr("Access held by people who have left"),
            "safeguards_overdue": self.tr("Safeguards overdue for verification"),
        }
        for key in TILE_KEYS:
            tile = FigureTile(labels[key])
            tile.activated.connect(self._on_tile_activated)
            tile.setProperty("figure", key)
            self.tiles[key] = tile
        self._arrange_tiles(TILE_COLUMNS[0])
        layout.addLayout(grid)

        charts = QHBoxLayout()
        charts.setSpacing(12)
        self.risk_chart = RiskDonut(self.tr("Active collaborations by risk level"))
        self.risk_chart.level_clicked.connect(self._on_risk_clicked)
        self.risk_chart.empty_text = self.tr("No active collaborations yet.")
        self.quarter_chart = BarChart(
            self.tr("Appraisals signed off per quarter"), self.tr("Appraisals")
        )
        self.quarter_chart.empty_text = self.tr("No appraisal signed off in the last two years.")
        self.training_chart = PercentBars(self.tr("Training compliance by department"))
        self.training_chart.empty_text = self.tr(
            "No required training yet.\nCourses and completions appear under Training."
        )
        charts.addWidget(self.risk_chart, 12)
        charts.addWidget(self.quarter_chart, 10)
        charts.addWidget(self.training_chart, 11)
        layout.addLayout(charts)

        self.due_box = QGroupBox(self.tr("Due soon"))
        due_layout = QVBoxLayout(self.due_box)
        self.due_list = QTreeWidget()
        self.due_list.setObjectName("dueList")
        self.due_list.setAccessibleName(self.tr("Due soon"))
        self.due_list.setColumnCount(3)
        self.due_list.setHeaderLabels([self.tr("Due"), self.tr("Kind"), self.tr("What")])
        self.due_list.setRootIsDecorated(False)
        self.due_list.setUniformRowHeights(True)
        self.due_list.setAlternatingRowColors(True)
        self.due_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.due_list.setMinimumHeight(220)
        header_view = self.due_list.header()
        header_view.setStretchLastSection(True)
        header_view.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.due_list.itemActivated.connect(self._on_due_activated)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("dueEmpty")
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setVisible(False)
        buttons = QHBoxLayout()
        self.due_summary = QLabel()
        self.due_summary.setObjectName("dueSummary")
        self.due_summary.setWordWrap(True)  # "Showing 500 of 2,762 dates…" in a narrow window
        self.export_button = QPushButton(self.tr("Export to calendar (.ics)…"))
        self.export_button.setObjectName("exportCalendar")
        self.export_button.setToolTip(
            self.tr(
                "Save every date of this horizon as an iCalendar file to import into your calendar"
            )
        )
        self.export_button.clicked.connect(self._on_export_clicked)
        self.export_button.setEnabled(False)
        buttons.addWidget(self.due_summary, 1)
        buttons.addWidget(self.export_button)
        due_layout.addWidget(self.due_list)
        due_layout.addWidget(self.empty_label)
        due_layout.addLayout(buttons)
        layout.addWidget(self.due_box, 1)

        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("dashboardScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        previous: QWidget | None = None
        for key in TILE_KEYS:
            if previous is not None:
                QWidget.setTabOrder(previous, self.tiles[key])
            previous = self.tiles[key]
        QWidget.setTabOrder(self.tiles[TILE_KEYS[-1]], self.due_list)
        QWidget.setTabOrder(self.due_list, self.export_button)
        self.refresh()

    def _arrange_tiles(self, fitting: int) -> None:
        """Lay the tiles out at most ``fitting`` a row, in reading order (the tab order stays),
        in rows as even as that allows: thirteen tiles six a row would leave one alone on the
        third row; five a row gives 5, 5, 3."""
        rows = -(-len(self.tiles) // fitting)
        columns = -(-len(self.tiles) // rows)
        if columns == self.tile_columns:
            return
        grid = self.tile_grid
        for tile in self.tiles.values():
            grid.removeWidget(tile)
        for index, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, index // columns, index % columns)
        for column in range(max(TILE_COLUMNS)):
            grid.setColumnStretch(column, 1 if column < columns else 0)
        self.tile_columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        # The page's margins and a vertical scroll bar (the scroll area is resized only later).
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        room = event.size().width() - 36 - scroll_bar
        tile = TILE_MIN_CHARS * self.fontMetrics().averageCharWidth() + 24
        spacing = self.tile_grid.horizontalSpacing()
        fitting = [c for c in TILE_COLUMNS if c * tile + (c - 1) * spacing <= room]
        self._arrange_tiles(fitting[0] if fitting else TILE_COLUMNS[-1])

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for tile in self.tiles.values():
                tile.restyle(self.palette())
            if self.data is not None:
                self._fill_due(self.data)

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.status_label.setText(self.tr("Loading…"))

        def done(data: DashboardData) -> None:
            if generation == self._generation:
                self.show_data(data)

        self.context.ops.query(load_dashboard, done)

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        board = data.board
        for key, tile in self.tiles.items():
            figure = board.figure(key)
            detail = figure.detail or self._detail(key, board)
            tile.set_figure(figure.display, figure.tone.value, detail)
            view_title = self._views.get(figure.view)
            if view_title:
                tile.set_clickable(True, self.tr("Show them in %s") % view_title)
            else:
                tile.set_clickable(False, self.tr("That register is not available in this build"))
        self.risk_chart.set_data(
            [(item.level, item.label, item.count) for item in board.active_by_risk]
        )
        self.quarter_chart.set_data(
            # Quarter above year: category axis labels accept simple HTML.
            [
                (f"Q{item.quarter}<br>\u2019{item.year % 100:02d}", float(item.count))
                for item in board.appraisals_by_quarter
            ]
        )
        departments = sorted(
            (item for item in board.training_by_department if item.percent is not None),
            key=lambda item: (item.percent, item.department),
        )[:CHART_DEPARTMENTS]
        self.training_chart.set_data(
            [(item.department, round(item.percent or 0.0)) for item in departments]
        )
        self._fill_due(data)
        self._show_logo(data.logo)
        when = dt.datetime.now().strftime("%d %b %Y, %H:%M")
        name = f"{data.institution} · " if data.institution else ""
        self.status_label.setText(self.tr("%sFigures as of %s") % (name, when))

    def _show_logo(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if data is None or not pixmap.loadFromData(data):
            self.logo_label.hide()
            return
        height = self.title_label.sizeHint().height() + 8
        self.logo_label.setPixmap(
            pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)
        )
        self.logo_label.show()

    def _detail(self, key: str, board: Dashboard) -> str:
        if key == "active":
            counts = {item.level: item.count for item in board.active_by_risk}
            high = counts.get("high", 0) + counts.get("very_high", 0)
            if not sum(counts.values()):
                return ""
            return self.tr("%s high or very high · %s not appraised") % (
                f"{high:,}",
                f"{counts.get(dashboard_service.NOT_APPRAISED, 0):,}",
            )
        return ""

    def _fill_due(self, data: DashboardData) -> None:
        self.due_list.clear()
        today = data.board.today
        palette = self.palette()
        soon = tone_colour("warning", palette)
        for item in data.due[:DUE_LIMIT]:
            days = (item.due - today).days
            when = self.tr("today") if days == 0 else self.tr("in %d days") % days
            if days == 1:
                when = self.tr("tomorrow")
            row = QTreeWidgetItem(
                [
                    # ISO, as every register writes dates; the weekday helps plan the week.
                    f"{item.due.isoformat()}  ({item.due:%a}, {when})",
                    self.tr(DUE_KIND_LABELS[item.kind]),
                    item.summary,
                ]
            )
            row.setToolTip(2, item.detail)
            # The record's register is also the view listing it (collaborations, measures, staff).
            target = (item.open_register, item.open_register, item.open_id)
            row.setData(0, Qt.ItemDataRole.UserRole, target)
            if days <= 7:
                row.setForeground(0, soon)
            self.due_list.addTopLevelItem(row)
        self.due_box.setTitle(self.tr("Due in the next %d days") % data.horizon_days)
        count = len(data.due)
        self.due_list.setVisible(count > 0)
        self.empty_label.setVisible(count == 0)
        self.empty_label.setText(
            self.tr("Nothing falls due in the next %d days.") % data.horizon_days
        )
        summary = ""
        if count > DUE_LIMIT:
            summary = (
                self.tr(
                    "Showing %1 of %2 dates due in the next %3 days; the calendar export has them all"
                )
                .replace("%1", f"{DUE_LIMIT:,}")
                .replace("%2", f"{count:,}")
                .replace("%3", str(data.horizon_days))
            )
        elif count == 1:
            summary = self.tr(
                "1 date: reviews, mitigation measures, onboarding checks and training"
            )
        elif count:
            summary = (
                self.tr("%s dates: reviews, mitigation measures, onboarding checks and training")
                % f"{count:,}"
            )
        self.due_summary.setText(summary)
        self.export_button.setEnabled(count > 0)

    # -- actions ------------------------------------------------------------------------------

    @Slot()
    def _on_tile_activated(self) -> None:
        tile = self.sender()
        if self.data is None or not isinstance(tile, FigureTile):
            return
        figure = self.data.board.figure(str(tile.property("figure")))
        view, filters = figure.navigation
        self.context.signals.navigate.emit(view, filters)

    @Slot(str)
    def _on_risk_clicked(self, level: str) -> None:
        self.context.signals.navigate.emit(
            "collaborations", {"status": "active", "risk_level": level}
        )

    @Slot(QTreeWidgetItem, int)
    def _on_due_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        target = item.data(0, Qt.ItemDataRole.UserRole)
        if not (isinstance(target, tuple) and target[0]):
            return
        view, register, record_id = target
        # Show the record in its register, then ask for its editor (where one is wired up).
        self.context.signals.navigate.emit(view, {"ids": [record_id]})
        self.context.signals.open_record.emit(register, record_id)

    @Slot()
    def _on_export_clicked(self) -> None:
        suggested = Path.home() / f"rsdesk-due-{dt.date.today():%Y-%m-%d}.ics"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export to calendar"),
            str(suggested),
            self.tr("iCalendar files (*.ics)"),
        )
        if path:
            self.export_calendar(path)

    def export_calendar(self, path: str | Path) -> int:
        """Write every date of the due-soon horizon to ``path`` (not only those the list
        shows); returns the number of events written."""
        from rsdesk.ui.ops import show_error

        path = Path(path)
        if path.suffix.lower() != ".ics":
            path = path.with_name(path.name + ".ics")
        items = self.data.due if self.data is not None else []
        name = "rsdesk reminders"
        if self.data is not None and self.data.institution:
            name = f"{self.data.institution} – research security"
        try:
            count = reminders.write_calendar(items, path, name)
        except KnownError as exc:
            show_error(self, exc)
            return 0
        self.context.signals.status_message.emit(
            self.tr("%d dates exported to %s") % (count, str(path))
        )
        return count

    def export_current(self) -> None:
        self._on_export_clicked()

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """The dashboard has nothing to filter."""
