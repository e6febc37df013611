"""observations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 13:14:50.406841
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("teacher_id", sa.String(length=32), nullable=False),
        sa.Column("observer_id", sa.String(length=32), nullable=False),
        sa.Column("second_observer_id", sa.String(length=32), nullable=True),
        sa.Column("mentorship_id", sa.Integer(), nullable=True),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("class_group", sa.String(length=200), nullable=True),
        sa.Column("pupils", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("focus", sa.Text(), nullable=True),
        sa.Column("on_track", sa.Boolean(), nullable=True),
        sa.Column("has_concern", sa.Boolean(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=True),
        sa.Column("reflection_next_steps", sa.Text(), nullable=True),
        sa.Column("reflected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("teacher_message_channel", sa.String(length=32), nullable=True),
        sa.Column("teacher_message_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_observations_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_observations_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_observations_team_id_submission_key")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observations_team_teacher_date", ["team_id", "teacher_id", "observed_on"], unique=False
        )

    op.create_table(
        "observation_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "rating",
            sa.Enum("na", "not", "partly", "fully", name="rating", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_entries_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_entries")),
        sa.UniqueConstraint("observation_id", "key", name=op.f("uq_observation_entries_observation_id_key")),
    )
    op.create_table(
        "observation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_revisions_observation_id_observations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_revisions")),
    )
    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_revisions_observation_id"), ["observation_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("observation_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_revisions_observation_id"))

    op.drop_table("observation_revisions")
    op.drop_table("observation_entries")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index("ix_observations_team_teacher_date")

    op.drop_table("observations")
