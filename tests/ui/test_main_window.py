from rsdesk.ui.views import available_views


def test_main_window_lists_available_views_and_shows_database(main_window, db):
    keys = main_window.view_keys()
    assert keys == [entry.key for entry in available_views()]
    assert db.display_name() in main_window.database_label.text()


def test_window_state_survives_restart(qtbot, context):
    from rsdesk.ui.main_window import MainWindow

    first = MainWindow(context)
    qtbot.addWidget(first)
    first.resize(640, 480)  # fits the offscreen 800x600 screen
    first.show()
    first.close()
    second = MainWindow(context)
    qtbot.addWidget(second)
    assert (second.size().width(), second.size().height()) == (640, 480)


def test_every_view_fits_a_1280_pixel_screen(main_window, qtbot):
    """A laptop's 1280 pixels (1366 minus the window frame and a docked panel) hold every view:
    a filter row that needs more is broken onto a second line."""
    needs = {}
    for key in main_window.view_keys():
        view = main_window.show_view(key)
        qtbot.wait(10)  # the layouts settle
        needs[key] = view.minimumSizeHint().width()
    assert max(needs.values()) <= 1080, needs  # leaves room for the navigation list
    assert main_window.minimumSizeHint().width() <= 1280
