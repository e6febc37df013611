"""SQLAlchemy 2 typed models. Every row carries the Slack workspace (team id) it belongs to."""

from storage.models.base import Base, UTCDateTime
from storage.models.observations import Observation, ObservationEntry, ObservationRevision, Rating
from storage.models.roster import (
    AuditEntry,
    MeetingCadence,
    MenteeKind,
    Mentorship,
    Person,
    Role,
    RoleGrant,
    Workspace,
)

__all__ = [
    "AuditEntry",
    "Base",
    "MeetingCadence",
    "MenteeKind",
    "Mentorship",
    "Observation",
    "ObservationEntry",
    "ObservationRevision",
    "Person",
    "Rating",
    "Role",
    "RoleGrant",
    "UTCDateTime",
    "Workspace",
]
