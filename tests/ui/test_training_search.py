"""The Training view's search and the "Record completions" people filter find names whatever
their accents, and the filter finds staff numbers; same-named people can be told apart."""

from __future__ import annotations

import pytest

from tests.services.people.helpers import department, person


@pytest.fixture
def people(db):
    with db.unit_of_work() as session:
        biology = department(session, "Biology")
        physics = department(session, "Physics")
        person(session, full_name="María García", staff_number="P-1002", department_id=biology)
        person(session, full_name="María García", staff_number="P-1003", department_id=biology)
        person(session, full_name="Łukasz Żółć", staff_number="P-1004", department_id=physics)
        person(session, full_name="Ada Lovelace", staff_number="P-1005", department_id=physics)


def _shown(dialog) -> list[str]:  # noqa: ANN001
    proxy = dialog.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


def test_training_view_search_and_completion_filter_ignore_accents(qtbot, context, people):
    from rsdesk.ui.views.training import TrainingView

    view = TrainingView(context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 4)
    view.search.setText("garcia")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=5_000)
    view.search.setText("zolc")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5_000)
    view.search.clear()
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=5_000)

    dialog = view.open_completion_dialog()
    assert sorted(_shown(dialog)) == [
        "Ada Lovelace — P-1005 — Physics",
        "María García — P-1002 — Biology",
        "María García — P-1003 — Biology",
        "Łukasz Żółć — P-1004 — Physics",
    ]
    dialog.filter.setText("garcia")
    assert len(_shown(dialog)) == 2
    dialog.filter.setText("zolc")
    assert _shown(dialog) == ["Łukasz Żółć — P-1004 — Physics"]
    dialog.filter.setText("p-1003")
    assert _shown(dialog) == ["María García — P-1003 — Biology"]
    dialog.filter.setText("GARCÍA biology 1002")
    assert _shown(dialog) == ["María García — P-1002 — Biology"]
    dialog.filter.clear()
    assert len(_shown(dialog)) == 4
    dialog.reject()


def _column(view, row: int, column: int) -> str:  # noqa: ANN001
    return view.proxy.index(row, column).data()


def test_staff_and_training_views_list_names_as_they_read(qtbot, context, people):
    """The views sort the rows they hold by the folded name, as the database does."""
    from rsdesk.ui.views.staff import StaffView
    from rsdesk.ui.views.training import TrainingView

    expected = ["Ada Lovelace", "Łukasz Żółć", "María García", "María García"]
    training_view = TrainingView(context)
    qtbot.addWidget(training_view)
    qtbot.waitUntil(lambda: training_view.model.rowCount() == 4)
    assert [_column(training_view, row, 0) for row in range(4)] == expected
    staff_view = StaffView(context)
    qtbot.addWidget(staff_view)
    qtbot.waitUntil(lambda: staff_view.model.rowCount() == 4)
    name = [c.key for c in staff_view.model.columns].index("full_name")
    assert [_column(staff_view, row, name) for row in range(4)] == expected
