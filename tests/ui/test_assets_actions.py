"""The assets view's actions and flags: ending access (and access held by someone who has left),
removing a safeguard, unlinking a collaboration, archiving an asset; the access picker's leavers
and empty state; flag colours that stay readable on a dark palette."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialogButtonBox

from rsdesk.models import SensitiveAsset
from rsdesk.services import assets, training
from rsdesk.services.assets import AssetInput
from rsdesk.ui.widgets import form
from rsdesk.ui.widgets.badges import contrast
from tests.services.people.helpers import person

TODAY = dt.date.today()
LEFT_ON = TODAY - dt.timedelta(days=30)


def _loaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.model.total is not None and not view.model.loading, timeout=10_000)


def _seed(db) -> dict[str, int]:
    """A prototype set-up whose builder left a month ago with her access still open."""
    with db.unit_of_work() as session:
        training.sync_courses(session)
        course = {c.code: c for c in training.courses(session)}["rs_awareness"]
        leaver = person(session, full_name="Inês Horváth", end_date=LEFT_ON)
        stays = person(session, full_name="Jelena Kaya")
        for staff_id in (leaver, stays):
            training.record_completion(session, staff_id, course.id, TODAY - dt.timedelta(400))
        lab = assets.create_asset(
            session,
            AssetInput(name="Prototype set-up", kind="equipment", sensitivity_level="sensitive"),
        ).id
        assets.grant_access(session, lab, leaver, dt.date(2021, 5, 7), "Builds it", today=LEFT_ON)
        assets.grant_access(session, lab, stays, dt.date(2025, 4, 13), "Runs it")
        assets.set_safeguard(session, lab, "mfa", "in_place")
        return {"lab": lab, "leaver": leaver, "stays": stays}


def _open(qtbot, main_window, lab: int):
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.access_table.rowCount() == 2, timeout=10_000)
    return view


def _access_rows(view) -> dict[str, str]:
    return {
        view.access_table.item(r, 0).text(): view.access_table.item(r, 4).text()
        for r in range(view.access_table.rowCount())
    }


def _select_row(table, text: str) -> None:
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == text:
            table.selectRow(row)
            return
    raise AssertionError(f"{text!r} is not in the table")


def test_access_of_a_leaver_is_flagged_and_ended_on_the_last_day(qtbot, main_window, db) -> None:
    ids = _seed(db)
    view = _open(qtbot, main_window, ids["lab"])
    rows = _access_rows(view)
    assert rows["Inês Horváth"] == (f"Holder has left ({LEFT_ON.isoformat()}) — end the access")
    assert rows["Jelena Kaya"] == "Current"
    assert "1 person who left still has access" in view.summary.text()

    view.detail.setCurrentIndex(1)
    assert not view.end_access_button.isEnabled()  # nothing chosen yet
    _select_row(view.access_table, "Inês Horváth")
    assert view.end_access_button.isEnabled()
    menu = {a.text(): a for a in view.access_table.actions()}
    assert menu["End access…"].isEnabled()  # the context menu offers it too
    view.end_access_button.click()
    dialog = view.editor
    assert dialog.until_edit.value() == LEFT_ON  # offboarding: the last day
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.end_button.click()
    qtbot.waitUntil(
        lambda: _access_rows(view).get("Inês Horváth") == "Access ended", timeout=10_000
    )
    with db.read() as session:
        [entry] = [
            a for a in assets.access_list(session, ids["lab"]) if a.staff_id == ids["leaver"]
        ]
        assert entry.until == LEFT_ON
        assert assets.counts(session).access_after_leaving == 0
    assert "who left" not in view.summary.text()


def test_grant_access_hides_leavers_and_refuses_access_after_the_last_day(
    qtbot, main_window, db
) -> None:
    ids = _seed(db)
    with db.unit_of_work() as session:
        wagner = person(session, full_name="Andriy Wagner", end_date=LEFT_ON)
    view = _open(qtbot, main_window, ids["lab"])
    view.grant_access()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.staff_combo.count() == 1, timeout=10_000)
    assert dialog.staff_combo.itemText(0) == "Jelena Kaya"
    assert dialog.leavers_box.isVisibleTo(dialog)
    dialog.leavers_box.setChecked(True)
    assert dialog.staff_combo.count() == 3
    # Showing more people, with the same person still picked, is nothing to save.
    assert dialog.staff_combo.currentText() == "Jelena Kaya"
    assert not dialog.unsaved.dirty()
    index = dialog.staff_combo.findData(wagner)
    assert dialog.staff_combo.itemText(index) == f"Andriy Wagner — left {LEFT_ON.isoformat()}"
    dialog.staff_combo.setCurrentIndex(index)
    dialog.since_edit.set_value(LEFT_ON + dt.timedelta(days=5))
    qtbot.keyClicks(dialog.reason_edit, "Cryostat")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    since_error = dialog.errors["since"]
    qtbot.waitUntil(lambda: since_error.isVisibleTo(dialog), timeout=10_000)
    assert f"ended on {LEFT_ON.isoformat()}" in since_error.text()
    assert not dialog.error.isVisibleTo(dialog)

    # The person already holding access: refused next to the person, naming the date.
    dialog.staff_combo.setCurrentIndex(dialog.staff_combo.findData(ids["stays"]))
    dialog.since_edit.set_value(TODAY)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    person_error = dialog.errors["staff_id"]
    qtbot.waitUntil(lambda: person_error.isVisibleTo(dialog), timeout=10_000)
    assert "already has access to Prototype set-up since 2025-04-13" in person_error.text()
    assert not since_error.isVisibleTo(dialog)
    with db.read() as session:
        assert len(assets.access_list(session, ids["lab"])) == 2


def test_grant_access_in_an_empty_database_says_where_the_people_come_from(
    qtbot, main_window, db
) -> None:
    with db.unit_of_work() as session:
        lab = assets.create_asset(
            session, AssetInput(name="Cleanroom", kind="lab", sensitivity_level="sensitive")
        ).id
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    assert view.select_id(lab)
    qtbot.waitUntil(lambda: view.access_button.isEnabled(), timeout=10_000)
    view.grant_access()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.empty_hint.isVisibleTo(dialog), timeout=10_000)
    assert "Staff & onboarding" in dialog.empty_hint.text()
    assert not dialog.leavers_box.isVisibleTo(dialog)
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()


def test_removing_a_safeguard_and_unlinking_a_collaboration_ask_first(
    qtbot, main_window, db, monkeypatch
) -> None:
    from tests.services.appraisal.helpers import make_collaboration

    ids = _seed(db)
    with db.unit_of_work() as session:
        collaboration = make_collaboration(session, "Quantum sensing with Harbour").id
        assets.link_collaboration(session, collaboration, ids["lab"], partner_access=True)
    view = _open(qtbot, main_window, ids["lab"])
    qtbot.waitUntil(lambda: view.link_table.rowCount() == 1, timeout=10_000)
    view.detail.setCurrentIndex(0)
    _select_row(view.safeguard_table, "Access-controlled zone (badges)")
    assert not view.remove_safeguard_button.isEnabled()  # expected, but nothing recorded
    _select_row(view.safeguard_table, "Multi-factor sign-in")
    assert view.remove_safeguard_button.isEnabled()

    questions: list[str] = []
    monkeypatch.setattr(form, "ask_confirm", lambda _p, _t, text: questions.append(text) or False)
    view.remove_safeguard_button.click()
    assert "Multi-factor sign-in" in questions[-1]
    monkeypatch.setattr(form, "ask_confirm", lambda *_args: True)
    view.remove_safeguard_button.click()
    qtbot.waitUntil(lambda: "Multi-factor sign-in" not in _states(db, ids["lab"]), timeout=10_000)

    view.detail.setCurrentIndex(2)
    view.link_table.selectRow(0)
    view.unlink_button.click()
    qtbot.waitUntil(lambda: view.link_table.rowCount() == 0, timeout=10_000)
    with db.read() as session:
        assert assets.assets_of_collaboration(session, collaboration) == []


def _states(db, lab: int) -> set[str]:
    with db.read() as session:
        return {s.text for s in assets.safeguards(session, lab) if s.status is not None}


def test_archiving_an_asset_asks_keeps_it_and_restores_it(
    qtbot, main_window, db, monkeypatch
) -> None:
    ids = _seed(db)
    view = _open(qtbot, main_window, ids["lab"])
    assert view.archive_button.text().replace("&", "") == "Archive asset…"
    monkeypatch.setattr(form, "ask_confirm", lambda *_args: False)
    view.archive_button.click()
    monkeypatch.setattr(form, "ask_confirm", lambda *_args: True)
    with db.read() as session:
        assert not session.get(SensitiveAsset, ids["lab"]).archived
    view.archive_button.click()
    qtbot.waitUntil(lambda: view.model.count == 0, timeout=10_000)
    with db.read() as session:
        assert session.get(SensitiveAsset, ids["lab"]).archived
    view.archived_box.setChecked(True)
    _loaded(qtbot, view)
    qtbot.waitUntil(lambda: view.model.count == 1, timeout=10_000)
    assert view.select_id(ids["lab"])
    qtbot.waitUntil(
        lambda: view.archive_button.text().replace("&", "") == "Restore asset", timeout=10_000
    )
    assert not view.access_button.isEnabled()  # an archived asset takes no new access
    view.archive_button.click()
    qtbot.waitUntil(lambda: not _archived(db, ids["lab"]), timeout=10_000)


def _archived(db, lab: int) -> bool:
    with db.read() as session:
        return session.get(SensitiveAsset, lab).archived


def test_a_new_asset_with_a_taken_name_is_refused_in_the_editor(qtbot, main_window, db) -> None:
    ids = _seed(db)
    view = main_window.show_view("assets")
    _loaded(qtbot, view)
    view.new_record()
    dialog = view.editor
    qtbot.waitUntil(lambda: dialog.level_combo.count() == 4, timeout=10_000)
    qtbot.keyClicks(dialog.name_edit, "prototype SET-UP")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert "'Prototype set-up' is already in the register" in dialog.error.text()
    with db.read() as session:
        assert session.query(SensitiveAsset).count() == 1
    assert ids


def test_flag_colours_carry_their_own_readable_text_on_a_dark_palette(
    qtbot, main_window, db
) -> None:
    ids = _seed(db)
    view = _open(qtbot, main_window, ids["lab"])
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    view.setPalette(dark)
    tinted = 0
    for table in (view.safeguard_table, view.access_table):
        for row in range(table.rowCount()):
            for column in range(table.columnCount()):
                item = table.item(row, column)
                background = item.background()
                if background.style() == Qt.BrushStyle.NoBrush:
                    continue
                tinted += 1
                foreground = item.foreground()
                assert foreground.style() != Qt.BrushStyle.NoBrush, item.text()
                assert contrast(background.color(), foreground.color()) >= 4.5, item.text()
                # a dark theme gets a dark tint, not a pale patch
                assert background.color().lightness() < 128, item.text()
    assert tinted >= 6  # the missing safeguards' and the leaver's rows at least
