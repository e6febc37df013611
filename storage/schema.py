"""Every table on one metadata, for Alembic and the privacy registry: import this, not the features one by one."""

from storage import (
    certification,
    coaching,
    concerns,
    digests,
    installations,
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
    "certification",
    "coaching",
    "concerns",
    "digests",
    "installations",
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
