"""The main window's views, in navigation order.

Each entry names the class that builds the view (``module:Class``, a ``View`` subclass taking an
AppContext). Entries whose module does not exist yet are left out of the navigation, so the
window shows only what is built. Add your view with a one-line edit here.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class ViewEntry:
    key: str
    title: str
    target: str
    #: Name of a standard icon (QStyle.StandardPixmap) or a file in resources/icons.
    icon: str = ""
    shortcut: str = ""
    #: The register whose first rows the window may draw before the database is open (the
    #: start-up preview, rsdesk.services.startup_cache); only for a view whose module loads
    #: without SQLAlchemy (tests/test_layering.py) and whose class says ``start_up_preview``.
    preview_register: str = ""

    @property
    def module(self) -> str:
        return self.target.split(":")[0]

    def available(self) -> bool:
        try:
            return importlib.util.find_spec(self.module) is not None
        except ModuleNotFoundError:
            return False

    def load(self) -> type:
        module_name, class_name = self.target.split(":")
        return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


VIEWS: tuple[ViewEntry, ...] = (
    ViewEntry(
        "dashboard",
        "Dashboard",
        "rsdesk.ui.views.dashboard:DashboardView",
        "SP_ComputerIcon",
        "Ctrl+1",
    ),
    ViewEntry(
        "collaborations",
        "Collaborations",
        "rsdesk.ui.views.collaborations:CollaborationsView",
        "SP_DirIcon",
        "Ctrl+2",
        preview_register="collaborations",
    ),
    ViewEntry(
        "partners",
        "Partners",
        "rsdesk.ui.views.partners:PartnersView",
        "SP_DriveNetIcon",
        "Ctrl+3",
        preview_register="partners",
    ),
    ViewEntry(
        "appraisals",
        "Appraisals",
        "rsdesk.ui.views.appraisals:AppraisalsView",
        "SP_FileDialogDetailedView",
        "Ctrl+4",
        preview_register="appraisals",
    ),
    ViewEntry(
        "measures",
        "Mitigation measures",
        "rsdesk.ui.views.measures:MeasuresView",
        "SP_DialogApplyButton",
        "Ctrl+5",
        preview_register="measures",
    ),
    ViewEntry(
        "staff", "Staff & onboarding", "rsdesk.ui.views.staff:StaffView", "SP_DirHomeIcon", "Ctrl+6"
    ),
    ViewEntry(
        "training",
        "Training",
        "rsdesk.ui.views.training:TrainingView",
        "SP_FileDialogInfoView",
        "Ctrl+7",
    ),
    ViewEntry(
        "screening",
        "Screening",
        "rsdesk.ui.views.screening:ScreeningView",
        "SP_FileDialogContentsView",
        "Ctrl+8",
    ),
    ViewEntry(
        "assets",
        "Sensitive assets",
        "rsdesk.ui.views.assets:AssetsView",
        "SP_DriveHDIcon",
        "Ctrl+9",
    ),
    ViewEntry(
        "advice",
        "Advice requests",
        "rsdesk.ui.views.advice:AdviceView",
        "SP_MessageBoxQuestion",
        "Ctrl+0",
    ),
    # Ten digits for twelve views: the first ten go by their place in the list, the last two
    # by a letter (P for the printed reports, L for the log).
    ViewEntry(
        "reports", "Reports", "rsdesk.ui.views.reports:ReportsView", "SP_FileIcon", "Ctrl+Shift+P"
    ),
    ViewEntry(
        "audit",
        "Audit log",
        "rsdesk.ui.views.audit_log:AuditLogView",
        "SP_MessageBoxInformation",
        "Ctrl+Shift+L",
    ),
)


def available_views() -> list[ViewEntry]:
    return [entry for entry in VIEWS if entry.available()]
