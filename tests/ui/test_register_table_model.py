"""The paged register model on a real database: counts, pages, sorting, badges, qtmodeltester."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QPalette

from rsdesk.services import registers
from rsdesk.services.registers import RegisterQuery
from rsdesk.ui.itemmodels.register_table_model import (
    BadgeRole,
    RegisterTableModel,
    RowIdRole,
    SortRole,
)
from rsdesk.ui.widgets.badges import badge_colours, contrast
from tests.ui.bulk import add_collaborations

pytestmark = pytest.mark.ui


def _loaded_model(qtbot, context, query: RegisterQuery | None = None, page_size: int = 50):
    model = RegisterTableModel(context.ops, registers.get("collaborations"), page_size=page_size)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(query or RegisterQuery())
    return model


def _load_all(qtbot, model: RegisterTableModel) -> None:
    for row in range(model.rowCount()):
        model.data(model.index(row, 0))
    qtbot.waitUntil(
        lambda: all(model.row_loaded(r) for r in range(model.rowCount())), timeout=10_000
    )


def test_counts_pages_and_placeholder(qtbot, context, db) -> None:
    add_collaborations(db, 230)
    model = _loaded_model(qtbot, context)
    assert model.rowCount() == 230
    assert model.total == 230
    title = model.spec.column_index("title")
    # The register's default order is newest reference first.
    assert model.data(model.index(0, title)) == "Study 00230"
    # Row 120 is on the third page of 50: not loaded yet, so a placeholder, then the real row.
    assert not model.row_loaded(120)
    assert model.data(model.index(120, 0)) == "Loading…"
    assert model.data(model.index(120, title)) is None
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        pass
    assert model.data(model.index(120, title)) == "Study 00110"


def test_filter_and_database_sort(qtbot, context, db) -> None:
    add_collaborations(db, 120)
    model = _loaded_model(qtbot, context, RegisterQuery(text="study 0011"))
    # "Study 00011" and "Study 00110" to "Study 00119".
    assert model.count == 11
    assert model.total == 120
    funding = model.spec.column_index("funding_amount_eur")
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.sort(funding, Qt.SortOrder.DescendingOrder)
    values = [model.data(model.index(r, funding), SortRole) for r in range(model.rowCount())]
    assert values == sorted(values, reverse=True)
    spec = registers.get("collaborations")
    with db.read() as session:
        expected = [row[0] for row in registers.fetch(session, spec, model.query)]
    assert [model.data(model.index(r, 0), RowIdRole) for r in range(model.rowCount())] == expected


def test_formatting_alignment_and_badges(qtbot, context, db) -> None:
    add_collaborations(db, 5)
    model = _loaded_model(qtbot, context)
    spec = model.spec
    risk = spec.column_index("risk_level")
    money = spec.column_index("funding_amount_eur")
    start = spec.column_index("start_date")
    row = next(r for r in range(5) if model.data(model.index(r, risk), BadgeRole) == "very_high")
    assert model.data(model.index(row, risk)) == "Very high"
    assert isinstance(model.data(model.index(row, risk), Qt.ItemDataRole.BackgroundRole), QColor)
    align = model.data(model.index(row, money), Qt.ItemDataRole.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight
    amount = model.data(model.index(row, money), SortRole)
    assert model.data(model.index(row, money)) == model.display("money", amount)
    assert "2020" in model.data(model.index(row, start))
    # An empty cell is "no data", not an empty string.
    assert model.data(model.index(row, spec.column_index("lead"))) is None


@pytest.mark.parametrize("base", ["#ffffff", "#1e1e1e"])
def test_badges_are_readable_on_light_and_dark(base: str) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    for value in ("low", "medium", "high", "very_high", "approved", "rejected", "ended"):
        colours = badge_colours(value, palette)
        assert colours is not None
        background, text = colours
        assert contrast(background, text) >= 4.5, value
        assert background != QColor("#ffffff")


def test_refresh_after_write_keeps_rows_and_picks_up_changes(qtbot, context, db) -> None:
    ids = add_collaborations(db, 60)
    model = _loaded_model(qtbot, context)
    from rsdesk.services import collaborations

    with db.unit_of_work() as session:
        # The newest collaboration: row 0 in the register's default order.
        detail = collaborations.load(session, ids[-1])
        collaborations.update(session, ids[-1], replace(detail.as_input(), title="Renamed"))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.refresh()
    assert model.data(model.index(0, model.spec.column_index("title"))) == "Renamed"
    assert model.rowCount() == 60


def test_qtmodeltester(qtbot, qtmodeltester, context, db) -> None:
    add_collaborations(db, 75)
    model = _loaded_model(qtbot, context, page_size=25)
    _load_all(qtbot, model)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def test_first_page_is_shown_before_the_count_and_the_rest_is_appended(qtbot, context, db) -> None:
    add_collaborations(db, 130)
    model = RegisterTableModel(context.ops, registers.get("collaborations"), page_size=50)
    seen: list[tuple[int, bool]] = []
    model.first_page_loaded.connect(lambda: seen.append((model.rowCount(), model.loading)))
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery(sort_key="title", descending=True))
    # The first page alone, still loading, then the other 80 rows appended after it.
    assert seen == [(50, True)]
    assert inserted == [(50, 129)]
    assert model.rowCount() == 130
    assert model.total == 130
    title = model.spec.column_index("title")
    assert model.data(model.index(0, title)) == "Study 00130"
    _load_all(qtbot, model)
    assert model.data(model.index(129, title)) == "Study 00001"


def test_the_first_rows_come_before_the_rest_of_their_page(qtbot, context, db) -> None:
    add_collaborations(db, 130)
    model = RegisterTableModel(
        context.ops, registers.get("collaborations"), page_size=50, first_rows=20
    )
    seen: list[int] = []
    model.first_page_loaded.connect(lambda: seen.append(model.rowCount()))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery())
    assert seen == [20]
    assert model.rowCount() == 130
    # The rest of the first page came with the count: no placeholder, no request for it.
    assert all(model.row_loaded(row) for row in range(50))
    assert not model.row_loaded(50)
    title = model.spec.column_index("title")
    assert model.data(model.index(45, title)) == "Study 00085"  # newest first


def test_a_short_first_page_is_the_whole_answer(qtbot, context, db) -> None:
    add_collaborations(db, 120)
    model = _loaded_model(qtbot, context)
    seen: list[tuple[int, bool]] = []
    model.first_page_loaded.connect(lambda: seen.append((model.rowCount(), model.loading)))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery(text="study 0011"))
    assert seen == [(11, False)]
    assert model.count == 11
    assert model.total == 120


def test_a_query_superseded_while_it_runs_never_shows(qtbot, context, db) -> None:
    add_collaborations(db, 130)
    model = _loaded_model(qtbot, context)
    shown: list[int] = []
    model.first_page_loaded.connect(lambda: shown.append(model.rowCount()))
    model.set_query(RegisterQuery(text="study 001"))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery(text="study 00130"))
    qtbot.wait(200)  # let any stale answer arrive: it must be dropped
    assert model.count == 1
    assert shown[-1] == 1
    assert model.data(model.index(0, model.spec.column_index("title"))) == "Study 00130"
