"""Every table on one metadata, for Alembic and the privacy registry: import this, not the features one by one."""

from storage import (
    coaching,
    concerns,
    digests,
    meetings,
    observations,
    reminders,
    reviews,
    roster,
    submission_keys,
    targets,
    visits,
)
from storage.base import Base

metadata = Base.metadata

__all__ = [
    "Base",
    "coaching",
    "concerns",
    "digests",
    "meetings",
    "metadata",
    "observations",
    "reminders",
    "reviews",
    "roster",
    "submission_keys",
    "targets",
    "visits",
]
