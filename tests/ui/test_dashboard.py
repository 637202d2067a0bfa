"""The dashboard view: tiles show the service's figures, drill down by click and keyboard,
charts are QtCharts series, the due-soon list exports to .ics, and a write refreshes it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QPieSeries
from PySide6.QtCore import Qt
from sqlalchemy import select

from rsdesk.models import Appraisal, Collaboration, MitigationMeasure, StaffMember
from rsdesk.models.enums import (
    AppraisalDecision,
    AppraisalStatus,
    CollaborationKind,
    CollaborationStatus,
    RiskLevel,
)
from rsdesk.services import assets, dashboard, registers, training
from rsdesk.services.assets import AssetInput
from rsdesk.services.registers import RegisterQuery

pytestmark = pytest.mark.ui

TODAY = dt.date.today()


def add_collaboration(session, reference, risk=None, review=None):
    record = Collaboration(
        reference=reference,
        title=f"Project {reference}, with commas; and semicolons",
        kind=CollaborationKind.JOINT_RESEARCH,
        status=CollaborationStatus.ACTIVE,
        risk_level=risk,
        next_review_date=review,
    )
    session.add(record)
    session.flush()
    return record.id


@pytest.fixture
def filled_db(db):
    with db.unit_of_work() as session:
        first = add_collaboration(session, "C-1", RiskLevel.HIGH, TODAY - dt.timedelta(days=2))
        add_collaboration(session, "C-2", RiskLevel.LOW, TODAY + dt.timedelta(days=3))
        add_collaboration(session, "C-3", None, TODAY + dt.timedelta(days=9))
        session.add(
            MitigationMeasure(
                collaboration_id=first,
                description="Vet visiting researchers",
                due_date=TODAY + dt.timedelta(days=5),
            )
        )
        session.add(
            Appraisal(
                collaboration_id=first,
                model_id="test",
                model_version="1",
                status=AppraisalStatus.SIGNED_OFF,
                decision=AppraisalDecision.APPROVE,
                signed_off_by="Officer",
                signed_off_at=dt.datetime.combine(TODAY, dt.time(9)),
                risk_level=RiskLevel.HIGH,
            )
        )
        training.sync_courses(session)
        course = next(c for c in training.courses(session) if c.code == "infosec")
        clerk = StaffMember(staff_number="S1", full_name="Clerk", role_category="administrative")
        session.add(clerk)
        session.flush()
        training.record_completion(session, clerk.id, course.id, TODAY - dt.timedelta(days=3))

        # One asset with a grant whose holder lacks the briefing and two overdue safeguards, one
        # whose safeguard was verified yesterday, one nobody may enter.
        def asset(name):
            data = AssetInput(name=name, kind="lab", sensitivity_level="sensitive")
            return assets.create_asset(session, data).id

        lab, quiet, _empty = asset("Cryogenic lab"), asset("Quiet store"), asset("Empty room")
        assets.grant_access(session, lab, clerk.id, TODAY - dt.timedelta(days=30), "Bookkeeping")
        for code in ("mfa", "encryption"):
            assets.set_safeguard(
                session, lab, code, "verified", last_verified_on=TODAY - dt.timedelta(days=900)
            )
        assets.set_safeguard(
            session, quiet, "mfa", "verified", last_verified_on=TODAY - dt.timedelta(days=1)
        )
    return db


def loaded_view(qtbot, context):
    from rsdesk.ui.views.dashboard import DashboardView

    view = DashboardView(context)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    return view


def test_tiles_show_the_figures_the_registers_count(qtbot, context, filled_db):
    view = loaded_view(qtbot, context)
    with filled_db.read() as session:
        for key, tile in view.tiles.items():
            figure = view.data.board.figure(key)
            assert tile.value_label.text() == figure.display
            if figure.register:
                spec = registers.get(figure.register)
                count = registers.count(session, spec, RegisterQuery(filters=dict(figure.filters)))
                assert tile.value_label.text() == f"{count:,}", key
    assert view.tiles["active"].value_label.text() == "3"
    assert view.tiles["reviews_overdue"].value_label.text() == "1"
    # The asset flags count grants and safeguards, and open the assets concerned: each equals
    # what the assets service reports asset by asset, and the register lists those assets.
    with filled_db.read() as session:
        for key, rows, flag in (
            ("access_without_briefing", assets.access_list, "flagged"),
            ("access_after_leaving", assets.access_list, "held_after_leaving"),
            ("safeguards_overdue", assets.safeguards, "overdue"),
        ):
            figure = view.data.board.figure(key)
            _view, filters = figure.navigation
            ids = filters["ids"]
            per_asset = {i: sum(getattr(r, flag) for r in rows(session, i, TODAY)) for i in ids}
            assert view.tiles[key].value_label.text() == str(sum(per_asset.values())), key
            assert all(per_asset.values()), key
            spec = registers.get("assets")
            assert registers.count(session, spec, RegisterQuery(ids=tuple(ids))) == len(ids)
            # The tile counts grants or safeguards but opens assets: it says how many.
            if ids:
                assets_word = "1 asset" if len(ids) == 1 else f"{len(ids)} assets"
                assert view.tiles[key].detail_label.text().endswith(f"on {assets_word}"), key
    assert view.tiles["access_without_briefing"].value_label.text() == "1"
    assert view.tiles["safeguards_overdue"].value_label.text() == "2"
    assert "1 high or very high" in view.tiles["active"].detail_label.text()
    assert view.tiles["training_compliance"].value_label.text().endswith("%")


def test_click_and_keyboard_drill_down_to_the_filtered_register(qtbot, context, filled_db):
    view = loaded_view(qtbot, context)
    tile = view.tiles["reviews_overdue"]
    # The collaborations view may not be built yet; drill-down must still say where to go.
    tile.set_clickable(True)
    with qtbot.waitSignal(context.signals.navigate) as blocker:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert blocker.args == ["collaborations", {"review": "overdue"}]
    measures = view.tiles["measures_open"]
    measures.set_clickable(True)
    measures.setFocus()
    with qtbot.waitSignal(context.signals.navigate) as blocker:
        qtbot.keyClick(measures, Qt.Key.Key_Return)
    assert blocker.args == ["measures", {"due": "open"}]
    with qtbot.waitSignal(context.signals.navigate) as blocker:
        qtbot.keyClick(measures, Qt.Key.Key_Space)
    assert blocker.args[0] == "measures"
    assert measures.accessibleName().startswith("Open mitigation measures: ")


def test_charts_are_qtcharts_series_with_the_service_values(qtbot, context, filled_db):
    view = loaded_view(qtbot, context)
    donut = view.risk_chart.chart().series()[0]
    assert isinstance(donut, QPieSeries)
    values = {s.property("level"): int(s.value()) for s in donut.slices()}
    assert values == {item.level: item.count for item in view.data.board.active_by_risk}
    assert values["high"] == 1
    quarters = view.quarter_chart.chart().series()[0]
    assert isinstance(quarters, QBarSeries)
    assert quarters.barSets()[0].count() == dashboard.QUARTERS
    assert quarters.barSets()[0].at(dashboard.QUARTERS - 1) == 1  # this quarter's sign-off
    departments = view.training_chart.chart().series()
    assert departments
    assert isinstance(departments[0], QHorizontalBarSeries)
    assert not view.training_chart.placeholder.isVisible()
    assert not view.risk_chart.placeholder.isVisible()
    with qtbot.waitSignal(context.signals.navigate) as blocker:
        donut.slices()[2].clicked.emit()
    assert blocker.args == ["collaborations", {"status": "active", "risk_level": "high"}]


def test_due_soon_list_and_calendar_export(qtbot, context, filled_db, tmp_path):
    view = loaded_view(qtbot, context)
    texts = [
        view.due_list.topLevelItem(i).text(2) for i in range(view.due_list.topLevelItemCount())
    ]
    assert texts[0].startswith("Review C-2")
    assert any(text.startswith("Measure for C-1") for text in texts)
    assert not any("Information security" in text for text in texts)  # valid for a year
    assert view.export_button.isEnabled()
    with qtbot.waitSignal(context.signals.status_message):
        written = view.export_calendar(tmp_path / "due")
    assert written == len(texts)
    data = (tmp_path / "due.ics").read_bytes()
    assert data.count(b"BEGIN:VEVENT") == written
    assert b"Project C-2\\, with commas\\; and semicolons" in data
    with (
        qtbot.waitSignal(context.signals.navigate) as shown,
        qtbot.waitSignal(context.signals.open_record) as opened,
    ):
        view.due_list.itemActivated.emit(view.due_list.topLevelItem(0), 0)
    with filled_db.read() as session:
        first = session.scalar(select(Collaboration.id).where(Collaboration.reference == "C-2"))
    assert shown.args == ["collaborations", {"ids": [first]}]
    assert opened.args == ["collaborations", first]


def test_an_empty_database_shows_zeros_and_placeholders(qtbot, context):
    view = loaded_view(qtbot, context)
    assert view.tiles["active"].value_label.text() == "0"
    assert view.tiles["training_compliance"].value_label.text() == "–"
    assert view.training_chart.placeholder.isVisible()
    assert view.risk_chart.placeholder.isVisible()
    assert view.risk_chart.chart().series() == []
    assert view.quarter_chart.placeholder.isVisible()
    assert view.tiles["active"].detail_label.text() == ""
    assert view.empty_label.isVisible()
    assert not view.due_list.isVisible()
    assert not view.export_button.isEnabled()


def test_a_committed_write_refreshes_the_figures(qtbot, context, filled_db):
    view = loaded_view(qtbot, context)
    assert view.tiles["active"].value_label.text() == "3"

    def add(session):
        add_collaboration(session, "C-4", RiskLevel.MEDIUM)

    context.ops.write(add)
    qtbot.waitUntil(lambda: view.tiles["active"].value_label.text() == "4", timeout=10_000)


def test_dark_palette_keeps_text_readable(qtbot, context, filled_db):
    from PySide6.QtGui import QColor, QPalette

    view = loaded_view(qtbot, context)
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#2b2c2f"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    view.setPalette(palette)
    qtbot.wait(10)
    tile = view.tiles["reviews_overdue"]
    value = tile.value_label.palette().color(QPalette.ColorRole.WindowText)
    background = QColor("#2b2c2f")
    assert abs(value.lightness() - background.lightness()) > 90
    assert "#2b2c2f" in tile.styleSheet()


def test_the_institution_logo_and_chart_descriptions(qtbot, context, filled_db):
    import io

    from PIL import Image

    from rsdesk.services import settings

    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (10, 60, 140)).save(buffer, format="PNG")
    with filled_db.unit_of_work() as session:
        settings.save(session, institution_name="University of Example")
        settings.set_logo(session, buffer.getvalue())
    view = loaded_view(qtbot, context)
    assert view.logo_label.isVisible()
    assert view.logo_label.pixmap().height() > 0
    assert "University of Example" in view.status_label.text()
    assert "High: 1" in view.risk_chart.accessibleDescription()
    assert view.quarter_chart.accessibleDescription().count(":") == dashboard.QUARTERS


def test_tab_walks_the_tiles_in_reading_order(qtbot, context, filled_db):
    from rsdesk.ui.views.dashboard import TILE_KEYS

    view = loaded_view(qtbot, context)
    for tile in view.tiles.values():
        tile.set_clickable(True)
    first = view.tiles[TILE_KEYS[0]]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    order = [TILE_KEYS[0]]
    for _ in TILE_KEYS[1:]:
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
        focused = view.focusWidget()
        order.append(str(focused.property("figure")))
    assert order == list(TILE_KEYS)
    qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
    assert view.focusWidget() is view.due_list


def test_compliance_bars_name_departments_by_what_tells_them_apart(qtbot):
    """A tester read eight bars as "Department of A…", "Department of C…": the generic start is
    dropped unless two units would then read the same; the hovered bar names the unit in full."""
    from PySide6.QtCharts import QBarCategoryAxis

    from rsdesk.ui.widgets.charts import PercentBars

    chart = PercentBars("Training compliance by department")
    qtbot.addWidget(chart)
    chart.set_data(
        [
            ("Department of Astrophysics and Planetary Science", 40),
            ("Faculty of Medicine", 50),
            ("Department of Medicine", 60),
            ("Research Support Office", 90),
        ]
    )
    axis = next(a for a in chart.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert list(reversed(axis.categories())) == [  # drawn bottom-up
        "40 %  Astrophysics and Planet…",
        "50 %  Faculty of Medicine",
        "60 %  Department of Medicine",
        "90 %  Research Support Office",
    ]


def test_asset_flags_open_the_assets_concerned(qtbot, filled_db, main_window):
    window = main_window
    view = window.view("dashboard")
    window.show_view("dashboard")
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    tile = view.tiles["safeguards_overdue"]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)
    assets_view = window.view("assets")
    qtbot.waitUntil(lambda: assets_view.model.count == 1, timeout=10_000)
    assert window.stack.currentWidget() is assets_view
    assert assets_view.drill_label.text() == (
        "Filtered by safeguards overdue for verification (1 record)"
    )
    assert assets_view.clear_drill_button.isVisible()


def test_the_tiles_take_fewer_columns_on_a_narrow_window(qtbot, context, filled_db):
    view = loaded_view(qtbot, context)  # 1200 pixels wide
    # Six fit; thirteen tiles go five a row (5, 5, 3) rather than leave one alone on a row.
    assert view.tile_columns == 5
    grid = view.tile_grid
    assert grid.getItemPosition(grid.indexOf(view.tiles["safeguards_overdue"]))[:2] == (2, 2)
    view.resize(760, 900)
    qtbot.waitUntil(lambda: view.tile_columns < 5)
    for tile in view.tiles.values():
        assert tile.width() >= tile.title_label.fontMetrics().horizontalAdvance("Safeguards")
