"""submission keys: the same request twice (at once, retried or replayed) acts once

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_submission_keys_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_keys")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_submission_keys_team_id_key")),
    )


def downgrade() -> None:
    op.drop_table("submission_keys")
