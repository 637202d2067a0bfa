"""Tooltips and "What's This?" help for the record forms, kept as data in one place.

The forms name each field widget after its model attribute (``widget.setObjectName(key)``). The
table below gives, per form (the dialog's object name) and field, a short tooltip and a longer
What's This text. :class:`FieldHelp`, installed on the application by ``create_application``,
fills them in when a form is first shown, without touching a help text a form sets itself.
The appraisal wizard's questions carry their own help from the question bank.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QDialog, QWidget

#: form object name -> field object name -> (tooltip, What's This)
FIELD_HELP: dict[str, dict[str, tuple[str, str]]] = {
    "CollaborationDialog": {
        "title": (
            "The collaboration's title, as the agreement or proposal names it.",
            "Required. Use the title from the agreement or funding proposal so that colleagues "
            "and auditors recognise it; the reference number is assigned when it is saved.",
        ),
        "kind": (
            "The form of the collaboration.",
            "Joint research, a visiting researcher, a contract, a student exchange and so on. "
            "The form matters for the appraisal: some forms give a partner more access than "
            "others.",
        ),
        "status": (
            "Where the collaboration stands.",
            "Proposed collaborations are appraised before they start; active ones are reviewed "
            "on their next review date; ended ones stay in the register for the record.",
        ),
        "department_id": (
            "The department that runs it.",
            "Used for the statistics by department in reports and to find who to ask.",
        ),
        "lead_staff_id": (
            "The researcher responsible at your institution.",
            "The lead researcher is asked about the collaboration during the appraisal and is "
            "told about the measures it leads to.",
        ),
        "partner_ids": (
            "The partner organisations: search by any of their names.",
            "Every partner is screened against the sanctions and entity lists loaded in "
            "Screening. Add a partner in the Partners register first if it is not found.",
        ),
        "description": (
            "What the collaboration is about.",
            "A few sentences on the research, what is shared (data, samples, equipment, "
            "people) and with whom. The appraisal relies on it.",
        ),
        "start_date": ("When it starts (may be left empty).", ""),
        "end_date": ("When it ends (may be left empty).", "May not be before the start date."),
        "next_review_date": (
            "When the appraisal should be looked at again.",
            "Set from the risk level when an appraisal is signed off; the dashboard lists "
            "reviews that are due or overdue.",
        ),
        "funding_amount_eur": (
            "The funding in whole euros.",
            "The amount the collaboration brings or costs, in whole euros; it cannot be negative.",
        ),
        "funding_source": (
            "Who pays.",
            "Funding from a foreign government, military or defence body raises the risk.",
        ),
        "research_field": ("The research field, in your institution's words.", ""),
        "dual_use_code": (
            "The EU dual-use category, if the research touches one.",
            "A category of Annex I of the EU dual-use regulation (2021/821). Work in a dual-use "
            "category may need an export licence before results or know-how are shared.",
        ),
        "technology_codes": (
            "The EU critical technology areas the research touches.",
            "The areas of the European Commission's recommendation on critical technology "
            "areas; ★ marks the four most sensitive (semiconductors, AI, quantum, "
            "biotechnology). They raise the appraisal's research-sensitivity score.",
        ),
    },
    "PartnerDialog": {
        "name": (
            "The organisation's name in its usual form.",
            "Add other spellings, abbreviations, former names and the name in its own script "
            "under Other names: screening compares all of them.",
        ),
        "kind": (
            "What kind of organisation it is.",
            "Universities, research institutes, companies, government bodies and military "
            "bodies carry different risks in the appraisal.",
        ),
        "country": (
            "The ISO country code, e.g. DE.",
            "Used for statistics only. rsdesk never decides anything about a partner from its "
            "country alone.",
        ),
        "city": ("The city of the partner's main site.", ""),
        "website": ("The partner's website.", "Helps colleagues identify the right organisation."),
        "other_names": (
            "Other names, abbreviations and native-script names.",
            "Every name here is screened against the sanctions and entity lists, and can be "
            "used to find the partner in the registers.",
        ),
        "notes": ("Anything colleagues should know about this partner.", ""),
    },
}

APPLIED = "rsdeskFieldHelpApplied"


def apply(form: QWidget) -> int:
    """Fill in the help of ``form``'s fields; returns how many widgets got help."""
    table = FIELD_HELP.get(form.objectName(), {})
    applied = 0
    for key, (tooltip, whats_this) in table.items():
        widget = form.findChild(QWidget, key)
        if widget is None:
            continue
        if not widget.toolTip():
            widget.setToolTip(tooltip)
        if not widget.whatsThis():
            widget.setWhatsThis(f"{tooltip} {whats_this}".strip())
        applied += 1
    form.setProperty(APPLIED, True)
    return applied


class FieldHelp(QObject):
    """Application event filter: adds the help to a form the first time it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and watched.objectName() in FIELD_HELP
            and not watched.property(APPLIED)
        ):
            apply(watched)
        return False
