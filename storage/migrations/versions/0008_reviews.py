"""reviews: induction details, review points, reviews, signatures, reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:04:37
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("fte_percent", sa.Integer(), nullable=False),
        sa.Column("appropriate_body", sa.String(length=200), nullable=True),
        sa.Column("tutor_id", sa.String(length=32), nullable=True),
        sa.Column("trn", sa.String(length=16), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("days_absent", sa.Integer(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_inductions_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_inductions_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inductions")),
        sa.UniqueConstraint("mentorship_id", name=op.f("uq_inductions_mentorship_id")),
    )
    with op.batch_alter_table("inductions", schema=None) as batch_op:
        batch_op.create_index("ix_inductions_team_mentee", ["team_id", "mentee_id"], unique=False)

    op.create_table(
        "review_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_review_points_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_review_points_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_points")),
        sa.UniqueConstraint("mentorship_id", "name", name=op.f("uq_review_points_mentorship_id_name")),
    )
    op.create_table(
        "review_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("point_key", sa.String(length=40), nullable=False),
        sa.Column("notice", sa.String(length=20), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_review_reminders_mentorship_id_mentorships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reminders")),
        sa.UniqueConstraint(
            "mentorship_id", "point_key", "notice", name=op.f("uq_review_reminders_mentorship_id_point_key_notice")
        ),
    )
    with op.batch_alter_table("review_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_reminders_team_id"), ["team_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("mentorship_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("progress", "formal", "interim", "provider", name="review_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("point_key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("term_number", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("on_track", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("meets", "does_not_meet", "extension", name="review_outcome", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("target_ids", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("signing", "locked", "superseded", name="review_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mentorship_id"], ["mentorships.id"], name=op.f("fk_reviews_mentorship_id_mentorships")
        ),
        sa.ForeignKeyConstraint(["supersedes_id"], ["reviews.id"], name=op.f("fk_reviews_supersedes_id_reviews")),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_reviews_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_reviews_team_id_submission_key")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_team_mentee", ["team_id", "mentee_id"], unique=False)

    op.create_table(
        "review_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column(
            "capacity",
            sa.Enum("mentee", "mentor", "tutor", "head", name="review_capacity", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("signer_id", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_signatures_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_signatures")),
        sa.UniqueConstraint("review_id", "capacity", name=op.f("uq_review_signatures_review_id_capacity")),
    )


def downgrade() -> None:
    op.drop_table("review_signatures")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_team_mentee")

    op.drop_table("reviews")
    with op.batch_alter_table("review_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reminders_team_id"))

    op.drop_table("review_reminders")
    op.drop_table("review_points")
    with op.batch_alter_table("inductions", schema=None) as batch_op:
        batch_op.drop_index("ix_inductions_team_mentee")

    op.drop_table("inductions")
