"""audit entry hash not unique: the unique index over random digests made every audited insert
write a random page of an index as large as the whole trail (a large import spent a sixth of its
time there); nothing looks entries up by hash, and the chain rests on the id key and prev_hash.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_entry_hash", type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_audit_entry_hash", ["hash"])
