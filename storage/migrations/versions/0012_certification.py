"""mentor certification: reflections, training sessions, ticked criteria, panel outcomes, panel reminders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _team() -> sa.Column:
    return sa.Column("team_id", sa.String(length=32), nullable=False)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=f"fk_{table}_team_id_workspaces")


def upgrade() -> None:
    op.create_table(
        "certification_reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("comment_by", sa.String(length=32), nullable=True),
        sa.Column("commented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("certification_reflections"),
        sa.PrimaryKeyConstraint("id", name="pk_certification_reflections"),
        sa.UniqueConstraint("team_id", "submission_key", name="uq_certification_reflections_team_id_submission_key"),
    )
    op.create_index("ix_certification_reflections_team_mentor", "certification_reflections", ["team_id", "mentor_id"])
    op.create_table(
        "certification_training",
        sa.Column("id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("certification_training"),
        sa.PrimaryKeyConstraint("id", name="pk_certification_training"),
        sa.UniqueConstraint("team_id", "submission_key", name="uq_certification_training_team_id_submission_key"),
    )
    op.create_index("ix_certification_training_team_mentor", "certification_training", ["team_id", "mentor_id"])
    op.create_table(
        "certification_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("criterion", sa.String(length=40), nullable=False),
        sa.Column("ticked_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("ticked_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("certification_ticks"),
        sa.PrimaryKeyConstraint("id", name="pk_certification_ticks"),
        sa.UniqueConstraint(
            "team_id", "mentor_id", "criterion", name="uq_certification_ticks_team_id_mentor_id_criterion"
        ),
    )
    op.create_table(
        "certification_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("awarded", "more_evidence", name="panel_outcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("panel_on", sa.Date(), nullable=False),
        sa.Column("more_evidence", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("certification_outcomes"),
        sa.PrimaryKeyConstraint("id", name="pk_certification_outcomes"),
        sa.UniqueConstraint("team_id", "submission_key", name="uq_certification_outcomes_team_id_submission_key"),
    )
    op.create_index("ix_certification_outcomes_team_mentor", "certification_outcomes", ["team_id", "mentor_id"])
    op.create_table(
        "certification_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("mentor_id", sa.String(length=32), nullable=False),
        sa.Column("panel_on", sa.Date(), nullable=False),
        sa.Column("notice", sa.String(length=20), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("certification_reminders"),
        sa.PrimaryKeyConstraint("id", name="pk_certification_reminders"),
        sa.UniqueConstraint(
            "team_id",
            "mentor_id",
            "panel_on",
            "notice",
            name="uq_certification_reminders_team_id_mentor_id_panel_on_notice",
        ),
    )


def downgrade() -> None:
    op.drop_table("certification_reminders")
    op.drop_index("ix_certification_outcomes_team_mentor", table_name="certification_outcomes")
    op.drop_table("certification_outcomes")
    op.drop_table("certification_ticks")
    op.drop_index("ix_certification_training_team_mentor", table_name="certification_training")
    op.drop_table("certification_training")
    op.drop_index("ix_certification_reflections_team_mentor", table_name="certification_reflections")
    op.drop_table("certification_reflections")
