"""Starting the GUI: QApplication, the database, the main window."""

from __future__ import annotations

import argparse
import sys


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    from rsdesk.db import open_database

    app = QApplication.instance() or QApplication(sys.argv)
    db = open_database(args.db)
    window = QMainWindow()
    window.setWindowTitle(f"rsdesk — {db.display_name()}")
    window.resize(1200, 800)
    window.show()
    try:
        return app.exec()
    finally:
        db.dispose()
