"""mentor work indexes: a mentor's own meetings, observations, targets, reviews, signatures, plans and nudges,
read for their certification progress on every Home, found without scanning the whole school's records

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_meetings_team_author", "meetings", ["team_id", "author_id"]),
    ("ix_observations_team_observer", "observations", ["team_id", "observer_id"]),
    ("ix_observations_team_second_observer", "observations", ["team_id", "second_observer_id"]),
    ("ix_targets_team_set_by", "targets", ["team_id", "set_by"]),
    ("ix_reviews_team_author", "reviews", ["team_id", "author_id"]),
    ("ix_review_signatures_team_signer", "review_signatures", ["team_id", "signer_id"]),
    ("ix_support_plans_team_owner", "support_plans", ["team_id", "owner_id"]),
    ("ix_nudges_team_nudged_by", "nudges", ["team_id", "nudged_by"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
