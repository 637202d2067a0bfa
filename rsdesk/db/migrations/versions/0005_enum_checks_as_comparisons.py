"""enum checks as comparisons: ``kind = 'a' OR kind = 'b' ...`` instead of ``kind IN ('a', 'b',
...)``. SQLite evaluates an IN list of more than two constants by building a temporary index of
the values for every row it writes: 0.5-1 s of a 100,000-collaboration import (three such
checks). Same meaning; see ``rsdesk.models.base._CheckedEnum``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Table -> (column, enum name, values) of every enum column, as the models have them today.
ENUM_COLUMNS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "appraisal": [
        ("status", "appraisal_status", ("draft", "signed_off")),
        ("answered_by", "answered_by", ("officer", "researcher")),
        ("risk_level", "risk_level", ("low", "medium", "high", "very_high")),
        (
            "decision",
            "appraisal_decision",
            ("approve", "approve_with_conditions", "reject", "escalate"),
        ),
    ],
    "asset_safeguard": [("status", "safeguard_status", ("planned", "in_place", "verified"))],
    "collaboration": [
        (
            "kind",
            "collaboration_kind",
            (
                "joint_research", "contract_research", "framework_agreement", "exchange",
                "visiting_researcher", "joint_degree", "data_sharing", "facility_access",
                "funding_received", "funding_application",
            ),
        ),
        (
            "status",
            "collaboration_status",
            (
                "proposed", "under_appraisal", "approved", "approved_with_conditions",
                "rejected", "active", "ended", "withdrawn",
            ),
        ),
        ("risk_level", "risk_level", ("low", "medium", "high", "very_high")),
    ],
    "mitigation_measure": [
        ("status", "measure_status", ("planned", "in_progress", "done", "cancelled"))
    ],
    "onboarding_check": [
        ("status", "check_status", ("open", "done", "waived", "not_applicable"))
    ],
    "partner": [
        (
            "kind",
            "partner_kind",
            ("university", "research_institute", "company", "government_body", "other"),
        )
    ],
    "partner_name": [
        ("kind", "partner_name_kind", ("alias", "native_script", "former", "abbreviation"))
    ],
    "screening_result": [
        ("verdict", "screening_verdict", ("pending", "true_match", "false_positive"))
    ],
    "sensitive_asset": [
        (
            "kind",
            "asset_kind",
            ("lab", "facility", "equipment", "dataset", "software", "know_how"),
        )
    ],
    "staff_member": [
        (
            "role_category",
            "role_category",
            (
                "professor", "researcher", "postdoc", "phd_candidate", "visiting_researcher",
                "technician", "research_support", "manager", "administrative",
                "student_assistant",
            ),
        )
    ],
}  # fmt: skip


def _comparisons(column: str, values: tuple[str, ...]) -> str:
    return " OR ".join(f"{column} = '{value}'" for value in values)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _rewrite(condition) -> None:  # type: ignore[no-untyped-def]
    for table, columns in ENUM_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, name, values in columns:
                constraint = op.f(f"ck_{table}_{name}")
                batch_op.drop_constraint(constraint, type_="check")
                batch_op.create_check_constraint(constraint, condition(column, values))


def upgrade() -> None:
    _rewrite(_comparisons)


def downgrade() -> None:
    _rewrite(_in_list)
