"""coaching: the staff list and terms away, triplet rounds, triplets and takeaways; peer visits, learning
walks and the colleagues they thank

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:59:24.003662
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coaching_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "approved", name="coaching_round_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        sa.Column("approved_by", sa.String(length=32), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_coaching_rounds_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_rounds")),
    )
    with op.batch_alter_table("coaching_rounds", schema=None) as batch_op:
        batch_op.create_index("ix_coaching_rounds_team_subject_term", ["team_id", "subject", "term"], unique=False)

    op.create_table(
        "learning_walks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("walker_id", sa.String(length=32), nullable=False),
        sa.Column("walked_on", sa.Date(), nullable=False),
        sa.Column("classrooms", sa.Text(), nullable=True),
        sa.Column("good_practice", sa.Text(), nullable=True),
        sa.Column("share_name", sa.Boolean(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_learning_walks_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_walks")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_learning_walks_team_id_submission_key")),
    )
    with op.batch_alter_table("learning_walks", schema=None) as batch_op:
        batch_op.create_index("ix_learning_walks_team_on", ["team_id", "walked_on"], unique=False)

    op.create_table(
        "peer_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("visited_id", sa.String(length=32), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("focus", sa.Text(), nullable=True),
        sa.Column("noticed", sa.Text(), nullable=True),
        sa.Column("will_try", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_peer_visits_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_visits")),
        sa.UniqueConstraint("team_id", "submission_key", name=op.f("uq_peer_visits_team_id_submission_key")),
    )
    with op.batch_alter_table("peer_visits", schema=None) as batch_op:
        batch_op.create_index("ix_peer_visits_team_visited", ["team_id", "visited_id", "visited_on"], unique=False)

    op.create_table(
        "staff_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_staff_absences_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_absences")),
        sa.UniqueConstraint("team_id", "user_id", "term", name=op.f("uq_staff_absences_team_id_user_id_term")),
    )
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=40), nullable=True),
        sa.Column("key_stage", sa.String(length=40), nullable=True),
        sa.Column("year_group", sa.String(length=40), nullable=True),
        sa.Column("subject", sa.String(length=60), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_staff_members_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_staff_members_team_id_user_id")),
    )
    op.create_table(
        "coaching_triplets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("session_on", sa.Date(), nullable=True),
        sa.Column("checked_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["coaching_rounds.id"],
            name=op.f("fk_coaching_triplets_round_id_coaching_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_triplets")),
    )
    with op.batch_alter_table("coaching_triplets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coaching_triplets_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coaching_triplets_team_id"), ["team_id"], unique=False)

    op.create_table(
        "learning_walk_thanks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["walk_id"],
            ["learning_walks.id"],
            name=op.f("fk_learning_walk_thanks_walk_id_learning_walks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_walk_thanks")),
        sa.UniqueConstraint("walk_id", "user_id", name=op.f("uq_learning_walk_thanks_walk_id_user_id")),
    )
    with op.batch_alter_table("learning_walk_thanks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_walk_thanks_walk_id"), ["walk_id"], unique=False)

    op.create_table(
        "coaching_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("triplet_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("takeaway", sa.Text(), nullable=True),
        sa.Column("share_name", sa.Boolean(), nullable=False),
        sa.Column("takeaway_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["triplet_id"],
            ["coaching_triplets.id"],
            name=op.f("fk_coaching_members_triplet_id_coaching_triplets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_members")),
        sa.UniqueConstraint("triplet_id", "user_id", name=op.f("uq_coaching_members_triplet_id_user_id")),
    )
    with op.batch_alter_table("coaching_members", schema=None) as batch_op:
        batch_op.create_index("ix_coaching_members_team_user", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coaching_members", schema=None) as batch_op:
        batch_op.drop_index("ix_coaching_members_team_user")

    op.drop_table("coaching_members")
    with op.batch_alter_table("learning_walk_thanks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_walk_thanks_walk_id"))

    op.drop_table("learning_walk_thanks")
    with op.batch_alter_table("coaching_triplets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_triplets_team_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_triplets_round_id"))

    op.drop_table("coaching_triplets")
    op.drop_table("staff_members")
    op.drop_table("staff_absences")
    with op.batch_alter_table("peer_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_peer_visits_team_visited")

    op.drop_table("peer_visits")
    with op.batch_alter_table("learning_walks", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_walks_team_on")

    op.drop_table("learning_walks")
    with op.batch_alter_table("coaching_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_coaching_rounds_team_subject_term")

    op.drop_table("coaching_rounds")
