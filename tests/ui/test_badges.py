"""Every risk and status value of every register gets a badge colour of its own, readable on light
and dark palettes (a column where two statuses share a colour tells the officer nothing)."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QColor, QPalette

from rsdesk.services import registers
from rsdesk.services.registers import base
from rsdesk.ui.widgets.badges import badge_colours, contrast

pytestmark = pytest.mark.ui


def _badge_columns() -> list[tuple[str, str, tuple[str, ...]]]:
    found = []
    for name in registers.names():
        for column in registers.get(name).columns:
            if column.kind in (base.RISK, base.STATUS) and column.choices:
                found.append((name, column.key, tuple(str(c) for c in column.choices)))
    return found


def _distance(a: QColor, b: QColor) -> float:
    return sum((x - y) ** 2 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True)) ** 0.5


def test_the_registers_have_badge_columns() -> None:
    keys = {(name, key) for name, key, _ in _badge_columns()}
    assert ("collaborations", "status") in keys
    assert ("collaborations", "risk_level") in keys
    assert ("measures", "status") in keys


@pytest.mark.parametrize(
    ("window", "base_colour"), [("#efefef", "#ffffff"), ("#2b2b2b", "#1e1e1e")]
)
def test_each_value_of_a_column_has_its_own_readable_colour(window: str, base_colour: str) -> None:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base_colour))
    for name, key, values in _badge_columns():
        colours = {}
        for value in values:
            badge = badge_colours(value, palette)
            assert badge is not None, f"{name}.{key}: {value!r} has no badge colour"
            background, text = badge
            assert contrast(background, text) >= 4.5, f"{name}.{key}: {value!r}"
            assert _distance(background, QColor(base_colour)) > 20, f"{value!r} looks unbadged"
            colours[value] = background
        for (a, colour_a), (b, colour_b) in itertools.combinations(colours.items(), 2):
            assert _distance(colour_a, colour_b) > 12, f"{name}.{key}: {a!r} and {b!r} look alike"


def test_tinted_compliance_cells_set_their_own_readable_text_colour(qapp) -> None:
    """A tint with the palette's text colour is unreadable on a dark palette (white on pale)."""
    from PySide6.QtCore import Qt

    from rsdesk.services.training import DepartmentCompliance
    from rsdesk.ui.itemmodels.people_table_models import ComplianceTableModel

    model = ComplianceTableModel()
    model.set_items(
        [
            DepartmentCompliance(1, "Physics", 4, 10, 10, 0, 0, 0),
            DepartmentCompliance(2, "History", 4, 10, 7, 1, 1, 1),
            DepartmentCompliance(3, "Law", 4, 10, 2, 0, 4, 4),
            DepartmentCompliance(4, "Empty", 0, 0, 0, 0, 0, 0),
        ]
    )
    for row in range(3):
        index = model.index(row, 7)
        background = model.data(index, Qt.ItemDataRole.BackgroundRole)
        foreground = model.data(index, Qt.ItemDataRole.ForegroundRole)
        assert background is not None
        assert foreground is not None, model.data(index)
        assert contrast(background.color(), foreground.color()) >= 4.5
    empty = model.index(3, 7)
    assert model.data(empty, Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(empty, Qt.ItemDataRole.ForegroundRole) is None


def test_muted_text_is_legible_on_light_and_dark_palettes(qapp) -> None:
    from PySide6.QtGui import QColor, QPalette

    from rsdesk.ui.widgets.badges import contrast, muted_text

    for text, background in (
        ("#000000", "#ffffff"),
        ("#ffffff", "#1e1e1e"),
        ("#e0e0e0", "#2d2d2d"),
    ):
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.Text, QColor(text))
        palette.setColor(QPalette.ColorRole.Base, QColor(background))
        muted = muted_text(palette)
        assert contrast(muted, QColor(background)) >= 4.5, (text, background, muted.name())
        assert contrast(muted, QColor(background)) < contrast(QColor(text), QColor(background))
