"""concerns and their dated trail; support plans, their reviews and plan targets; probation end dates;
early-warning episodes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


STATUSES = ("open", "resolved", "support_plan", "escalated")


def upgrade() -> None:
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=True),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("raised_by", sa.String(length=32), nullable=False),
        sa.Column(
            "category", _enum("concern_category", "teaching", "conduct", "attendance", "wellbeing"), nullable=False
        ),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("what_seen", sa.Text(), nullable=False),
        sa.Column("done_so_far", sa.Text(), nullable=True),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column("discussed_on", sa.Date(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("concern_status", *STATUSES), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_concerns_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"], ["observations.id"], name=op.f("fk_concerns_observation_id_observations")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_concerns_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_concerns_team_id_submission_key")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index("ix_concerns_team_status", ["team_id", "status"], unique=False)
        batch_op.create_index("ix_concerns_team_mentee", ["team_id", "mentee_id"], unique=False)

    op.create_table(
        "concern_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column(
            "kind", _enum("concern_entry_kind", "update", "discussed", "resolution", "agreed_actions"), nullable=False
        ),
        sa.Column("happened", sa.Text(), nullable=True),
        sa.Column("agreed", sa.Text(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("outcome", _enum("concern_outcome", *STATUSES), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concerns.id"], name=op.f("fk_concern_entries_concern_id_concerns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern_entries")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_concern_entries_team_id_submission_key")),
    )
    with op.batch_alter_table("concern_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_entries_concern_id"), ["concern_id"], unique=False)

    op.create_table(
        "support_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=True),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("informed", sa.Text(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("status", _enum("plan_status", "open", "closed", "escalated"), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_before_for", sa.Date(), nullable=True),
        sa.Column("reminded_on_day_for", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["concern_id"], ["concerns.id"], name=op.f("fk_support_plans_concern_id_concerns")),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_support_plans_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_support_plans_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_plans")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_support_plans_team_id_submission_key")),
    )
    with op.batch_alter_table("support_plans", schema=None) as batch_op:
        batch_op.create_index("ix_support_plans_team_status", ["team_id", "status"], unique=False)
        batch_op.create_index("ix_support_plans_team_mentee", ["team_id", "mentee_id"], unique=False)

    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", _enum("plan_outcome", "back_on_track", "continued", "escalated"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["support_plans.id"], name=op.f("fk_plan_reviews_plan_id_support_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_plan_reviews_team_id_submission_key")),
    )
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_reviews_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "warning_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("episode_key", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_warning_episodes_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_episodes")),
        sa.UniqueConstraint(
            "team_id", "mentee_id", "episode_key", name=op.f("uq_warning_episodes_team_id_mentee_id_episode_key")
        ),
    )
    with op.batch_alter_table("warning_episodes", schema=None) as batch_op:
        batch_op.create_index("ix_warning_episodes_team_mentee", ["team_id", "mentee_id"], unique=False)

    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probation_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("probation_midpoint_told_for", sa.Date(), nullable=True))

    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_targets_plan_id_support_plans"), "support_plans", ["plan_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_targets_plan_id_support_plans"), type_="foreignkey")
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("warning_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_warning_episodes_team_mentee")
    op.drop_table("warning_episodes")
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.drop_column("probation_midpoint_told_for")
        batch_op.drop_column("probation_end")
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_reviews_plan_id"))
    op.drop_table("plan_reviews")
    with op.batch_alter_table("support_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_support_plans_team_mentee")
        batch_op.drop_index("ix_support_plans_team_status")
    op.drop_table("support_plans")
    with op.batch_alter_table("concern_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_entries_concern_id"))
    op.drop_table("concern_entries")
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index("ix_concerns_team_mentee")
        batch_op.drop_index("ix_concerns_team_status")
    op.drop_table("concerns")
