"""SQLAlchemy 2 typed models. Every row carries the Slack workspace (team id) it belongs to."""

from storage.models.base import Base, UTCDateTime
from storage.models.digests import DeliveryKind, DeliveryStatus, DigestDelivery, DigestSnapshot
from storage.models.meetings import (
    Meeting,
    MeetingRevision,
    MeetingTargetReview,
    ReminderSent,
    ReviewOutcome,
    Target,
    TargetDraft,
    TargetStatus,
)
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
    "DeliveryKind",
    "DeliveryStatus",
    "DigestDelivery",
    "DigestSnapshot",
    "Meeting",
    "MeetingCadence",
    "MeetingRevision",
    "MeetingTargetReview",
    "MenteeKind",
    "Mentorship",
    "Observation",
    "ObservationEntry",
    "ObservationRevision",
    "Person",
    "Rating",
    "ReminderSent",
    "ReviewOutcome",
    "Role",
    "RoleGrant",
    "Target",
    "TargetDraft",
    "TargetStatus",
    "UTCDateTime",
    "Workspace",
]
