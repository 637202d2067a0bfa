"""Registers show labels, not the codes they store: sensitivity levels and safeguards by the names in
the institution's own (possibly edited) data, enum values as words; sorting stays on the code."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rsdesk.models import Setting
from rsdesk.resources import load_toml
from rsdesk.services import assets, registers
from rsdesk.services.assets import LEVELS_SETTING, AssetInput
from rsdesk.services.registers import RegisterQuery
from rsdesk.services.registers.labels import enum_label
from rsdesk.ui.itemmodels.people_table_models import RegisterRowsTableModel
from rsdesk.ui.itemmodels.register_table_model import RegisterTableModel, SortRole
from tests.services.people.helpers import person

pytestmark = pytest.mark.ui


def _rename_level(db, code: str, name: str) -> None:
    """Store an edited copy of the shipped levels, as the settings dialog does."""
    levels = load_toml("rules", "sensitivity_levels.toml")
    for level in levels["level"]:
        if level["code"] == code:
            level["name"] = name
    with db.unit_of_work() as session:
        session.add(Setting(key=LEVELS_SETTING, value=levels))


def _model(qtbot, context, name: str) -> RegisterTableModel:
    model = RegisterTableModel(context.ops, registers.get(name))
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.set_query(RegisterQuery())
    context.ops.wait()
    qtbot.waitUntil(lambda: model.row_loaded(0), timeout=10_000)
    return model


def _cells(model: RegisterTableModel, key: str, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    column = model.spec.column_index(key)
    return [model.data(model.index(row, column), role) for row in range(model.rowCount())]


def test_assets_show_the_institutions_level_names_and_sort_by_code(qtbot, context, db) -> None:
    _rename_level(db, "highly_sensitive", "Highly sensitive (restricted)")
    with db.unit_of_work() as session:
        vault = assets.create_asset(
            session, AssetInput(name="Vault", kind="dataset", sensitivity_level="highly_sensitive")
        ).id
        assets.create_asset(
            session, AssetInput(name="Wiki", kind="know_how", sensitivity_level="internal")
        )
        assets.set_safeguard(session, vault, "mfa", "in_place")
    model = _model(qtbot, context, "assets")
    qtbot.waitUntil(lambda: "Internal" in _cells(model, "sensitivity_level"), timeout=10_000)
    assert _cells(model, "sensitivity_level") == ["Highly sensitive (restricted)", "Internal"]
    assert _cells(model, "sensitivity_level", SortRole) == ["highly_sensitive", "internal"]
    assert _cells(model, "kind") == ["Dataset", "Know-how"]

    safeguards = _model(qtbot, context, "asset_safeguards")
    qtbot.waitUntil(
        lambda: _cells(safeguards, "safeguard_code") == ["Multi-factor sign-in"], timeout=10_000
    )
    assert _cells(safeguards, "sensitivity_level") == ["Highly sensitive (restricted)"]
    assert _cells(safeguards, "status") == ["In place"]


def test_a_level_renamed_later_shows_after_a_refresh(qtbot, context, db) -> None:
    with db.unit_of_work() as session:
        assets.create_asset(
            session, AssetInput(name="Lab", kind="lab", sensitivity_level="sensitive")
        )
    model = _model(qtbot, context, "assets")
    qtbot.waitUntil(lambda: _cells(model, "sensitivity_level") == ["Sensitive"], timeout=10_000)
    _rename_level(db, "sensitive", "Sensitive — need to know")
    model.refresh()
    qtbot.waitUntil(
        lambda: _cells(model, "sensitivity_level") == ["Sensitive — need to know"], timeout=10_000
    )


def test_staff_roles_read_as_words(qtbot, context, db) -> None:
    with db.unit_of_work() as session:
        person(session, full_name="Pia Doctoral", role_category="phd_candidate")
        keys = ["full_name", "role_category"]
        rows = registers.fetch(session, registers.get("staff"), RegisterQuery(), keys=keys)
    model = RegisterRowsTableModel(registers.get("staff"), keys)
    model.set_rows(rows)
    assert model.data(model.index(0, 1)) == "PhD candidate"
    assert enum_label("approved_with_conditions") == "Approved with conditions"


def test_the_audit_log_names_tables_as_words(qtbot, context, db) -> None:
    with db.unit_of_work() as session:
        person(session, full_name="Audited Person")
    model = _model(qtbot, context, "audit_log")
    qtbot.waitUntil(lambda: "Staff member" in _cells(model, "table_name"), timeout=10_000)
    assert "staff_member" in _cells(model, "table_name", SortRole)


def test_field_labels_read_as_words() -> None:
    from rsdesk.services.registers.labels import field_label

    assert field_label("staff_member_id") == "Staff member"
    assert field_label("risk_level") == "Risk level"
    assert field_label("funding_amount_eur") == "Funding amount (EUR)"
    assert field_label("id") == "Id"
