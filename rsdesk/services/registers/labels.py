"""Readable labels for the codes registers store: enum values ("phd_candidate") and codes from the
institution's own data (sensitivity levels, the safeguard catalogue).

The database keeps the code, so sorting and filtering still work on it; only what a person reads
becomes the label. Labels from the institution's data are read from the database, because the
office may have edited its levels and catalogue (see ``services/assets.load_rules``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from rsdesk.services.registers.base import RegisterSpec

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


def _levels(session: Session) -> dict[str, str]:
    from rsdesk.services.assets import load_rules

    return {level.code: level.name for level in load_rules(session).levels}


def _safeguards(session: Session) -> dict[str, str]:
    from rsdesk.services.assets import load_rules

    return {rule.code: rule.text for rule in load_rules(session).safeguards}


def _tables(_session: Session) -> dict[str, str]:
    from rsdesk.models import Base

    return {name: enum_label(name) for name in Base.metadata.tables}


#: (register, column key) -> reads the code-to-label map of a column holding codes.
CODE_COLUMNS: dict[tuple[str, str], Callable[[Session], Mapping[str, str]]] = {
    ("assets", "sensitivity_level"): _levels,
    ("asset_safeguards", "sensitivity_level"): _levels,
    ("asset_safeguards", "safeguard_code"): _safeguards,
    ("asset_access", "sensitivity_level"): _levels,
    ("audit_log", "table_name"): _tables,
}


def has_code_labels(spec: RegisterSpec) -> bool:
    return any((spec.name, column.key) in CODE_COLUMNS for column in spec.columns)


def code_labels(session: Session, spec: RegisterSpec) -> dict[str, dict[str, str]]:
    """Column key -> {code: label} for the spec's columns that hold institution codes."""
    return {
        column.key: dict(CODE_COLUMNS[(spec.name, column.key)](session))
        for column in spec.columns
        if (spec.name, column.key) in CODE_COLUMNS
    }
