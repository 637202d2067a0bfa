"""Readable labels for the codes registers store: enum values ("phd_candidate") and codes from the
institution's own data (sensitivity levels, the safeguard catalogue).

The database keeps the code, so sorting and filtering still work on it; only what a person reads
becomes the label. Labels from the institution's data are read from the database, because the
office may have edited its levels and catalogue (see ``services/assets.load_rules``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from rsdesk.services.registers.base import RegisterSpec
from rsdesk.services.wording import enum_label, field_label  # noqa: F401 - re-exported


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
