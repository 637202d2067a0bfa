"""The layering rule of docs/architecture.md: only rsdesk.ui may import Qt."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_services_models_and_db_do_not_import_qt():
    code = (
        "import pkgutil, importlib, sys\n"
        "import rsdesk, rsdesk.models, rsdesk.services, rsdesk.db, rsdesk.cli\n"
        "for pkg in (rsdesk.models, rsdesk.services, rsdesk.db):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in info.name: continue\n"
        "        importlib.import_module(info.name)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert out == ""


def test_cli_start_does_not_load_heavy_libraries():
    code = (
        "import sys, rsdesk.cli\n"
        "rsdesk.cli.build_parser()\n"
        "print(','.join(m for m in ('PySide6', 'openpyxl', 'reportlab', 'rapidfuzz') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert out == ""


def test_no_personal_origin_fields_in_models():
    import rsdesk.models as models

    forbidden = ("nationality", "citizenship", "ethnic", "religion", "birth_country")
    for table in models.Base.metadata.tables.values():
        for column in table.columns:
            assert not any(word in column.name for word in forbidden), (table.name, column.name)


def test_the_window_and_the_start_up_preview_load_without_sqlalchemy():
    """The start-up preview draws the first rows before the database layer is loaded
    (rsdesk.services.startup_cache): what it needs must not pull SQLAlchemy in."""
    code = (
        "import sys\n"
        "import rsdesk.ui.app, rsdesk.ui.main_window, rsdesk.ui.opening\n"
        "import rsdesk.services.startup_cache, rsdesk.db.lock, rsdesk.db.folding\n"
        "from rsdesk.ui.views import VIEWS\n"
        "previewed = [entry for entry in VIEWS if entry.preview_register]\n"
        "assert len(previewed) >= 4, previewed\n"
        "for entry in previewed:\n"
        "    view = entry.load()\n"
        "    assert view.register_name == entry.preview_register, entry\n"
        "    assert view.start_up_preview, entry\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ).stdout.strip()
    assert out == ""
