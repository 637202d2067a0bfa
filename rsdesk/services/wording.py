"""Words the user reads. Counts: "1 question", "16 questions" rather than "16 question(s)" (the
interface is English; a translation would bring Qt's plural forms). Codes: enum values and column
names as labels ("phd_candidate" -> "PhD candidate"), light enough for the start-up preview."""

from __future__ import annotations

from typing import Any


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` with ``noun`` in the singular or plural ("1 safeguard", "3 safeguards")."""
    word = noun if number == 1 else plural or noun + "s"
    return f"{number:,} {word}"


#: Enum values whose label is not just the words capitalised.
_SPECIAL = {
    "phd_candidate": "PhD candidate",
    "know_how": "Know-how",
    "not_applicable": "Not applicable",
}


def enum_label(value: Any) -> str:
    """ "approved_with_conditions" -> "Approved with conditions"; "phd_candidate" -> "PhD
    candidate". Accepts enum members as well as their values."""
    code = str(value.value if hasattr(value, "value") else value)
    if code in _SPECIAL:
        return _SPECIAL[code]
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def field_label(name: str) -> str:
    """A column name as words for the audit log's field lists: "staff_member_id" -> "Staff
    member", "risk_level" -> "Risk level". A reference's "_id" is left out, since the officer
    reads which record was linked, not how it is stored."""
    if name.endswith("_id") and len(name) > 3:
        name = name[:-3]
    if name.endswith("_eur"):
        return f"{enum_label(name[:-4])} (EUR)"
    return enum_label(name)
