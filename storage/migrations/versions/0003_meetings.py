"""meetings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 13:22:59.297088
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("wellbeing", sa.Integer(), nullable=True),
        sa.Column("wellbeing_note", sa.Text(), nullable=True),
        sa.Column("next_meeting_on", sa.Date(), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by", sa.String(length=32), nullable=True),
        sa.Column("mentee_comment", sa.Text(), nullable=True),
        sa.Column("mentee_message_channel", sa.String(length=32), nullable=True),
        sa.Column("mentee_message_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_meetings_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_meetings_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_meetings_team_id_submission_key")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_mentorship_held", ["mentorship_id", "held_on"], unique=False)
        batch_op.create_index("ix_meetings_team_mentee_held", ["team_id", "mentee_id", "held_on"], unique=False)

    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_reminders_sent_mentorship_id_mentorships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("mentorship_id", "period", name=op.f("uq_reminders_sent_mentorship_id_period")),
    )
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_sent_team_id"), ["team_id"], unique=False)

    op.create_table(
        "meeting_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_revisions_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_revisions")),
    )
    with op.batch_alter_table("meeting_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_revisions_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_phrase", sa.String(length=200), nullable=True),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "met", "not_met", "dropped", name="target_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("carried_count", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_for_review_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("mentee_message_channel", sa.String(length=32), nullable=True),
        sa.Column("mentee_message_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_targets_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_targets_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_targets_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_targets_team_id_submission_key")),
    )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index("ix_targets_team_mentee_status", ["team_id", "mentee_id", "status"], unique=False)

    op.create_table(
        "meeting_target_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("met", "progressing", "not_met", "dropped", name="review_outcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_target_reviews_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_meeting_target_reviews_target_id_targets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_target_reviews")),
        sa.UniqueConstraint("meeting_id", "target_id", name=op.f("uq_meeting_target_reviews_meeting_id_target_id")),
    )
    with op.batch_alter_table("meeting_target_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_target_reviews_target_id"), ["target_id"], unique=False)

    op.create_table(
        "target_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_phrase", sa.String(length=200), nullable=True),
        sa.Column("due_given", sa.Boolean(), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_target_drafts_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"], name=op.f("fk_target_drafts_target_id_targets")),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_target_drafts_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_drafts")),
        sa.UniqueConstraint("key", name=op.f("uq_target_drafts_key")),
    )
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("observations_per_half_term", sa.Integer(), server_default=sa.text("2"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("mentorships", schema=None) as batch_op:
        batch_op.drop_column("observations_per_half_term")

    op.drop_table("target_drafts")
    with op.batch_alter_table("meeting_target_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_target_reviews_target_id"))

    op.drop_table("meeting_target_reviews")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index("ix_targets_team_mentee_status")

    op.drop_table("targets")
    with op.batch_alter_table("meeting_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_revisions_meeting_id"))

    op.drop_table("meeting_revisions")
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_sent_team_id"))

    op.drop_table("reminders_sent")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_team_mentee_held")
        batch_op.drop_index("ix_meetings_mentorship_held")

    op.drop_table("meetings")
