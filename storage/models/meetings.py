"""Weekly meetings, the targets set and reviewed in them, and the reminders sent when one is missed."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UTCDateTime, str_enum


class TargetStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"
    DROPPED = "dropped"


class ReviewOutcome(enum.StrEnum):
    """What a meeting decided about an open target; "progressing" keeps it open."""

    MET = "met"
    PROGRESSING = "progressing"
    NOT_MET = "not_met"
    DROPPED = "dropped"


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        # A double-click on Submit, or Slack's retry, carries the same view id: it must not store twice.
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_meetings_team_mentee_held", "team_id", "mentee_id", "held_on"),
        Index("ix_meetings_mentorship_held", "mentorship_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text)
    wellbeing: Mapped[int | None] = mapped_column(Integer)  # 1 (struggling) … 5 (thriving)
    wellbeing_note: Mapped[str | None] = mapped_column(Text)
    next_meeting_on: Mapped[date | None] = mapped_column(Date)
    submission_key: Mapped[str] = mapped_column(String(64))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by: Mapped[str | None] = mapped_column(String(32))
    mentee_comment: Mapped[str | None] = mapped_column(Text)
    # Where the mentee's DM is, so its Sign off button can be replaced once they have signed.
    mentee_message_channel: Mapped[str | None] = mapped_column(String(32))
    mentee_message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reviews: Mapped[list[MeetingTargetReview]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingTargetReview.id"
    )


class MeetingTargetReview(Base):
    """One open target as reviewed in one meeting."""

    __tablename__ = "meeting_target_reviews"
    __table_args__ = (UniqueConstraint("meeting_id", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[ReviewOutcome] = mapped_column(str_enum(ReviewOutcome, "review_outcome"))

    meeting: Mapped[Meeting] = relationship(back_populates="reviews")


class MeetingRevision(Base):
    """A correction by the meeting's author: who, when, and each changed field as [before, after]."""

    __tablename__ = "meeting_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes: Mapped[dict[str, list[Any]]] = mapped_column(JSON)


class Target(Base):
    __tablename__ = "targets"
    __table_args__ = (
        # Confirm clicked twice (or a meeting submitted twice) carries the same key: one target.
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_targets_team_mentee_status", "team_id", "mentee_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_phrase: Mapped[str | None] = mapped_column(String(200))  # the words the date came from, as typed
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)  # "1"…"8", "P2"
    status: Mapped[TargetStatus] = mapped_column(str_enum(TargetStatus, "target_status"), default=TargetStatus.OPEN)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))  # the meeting that set it
    # Meetings it was carried past while still open; flagged (for the lead mentor's digest) at two.
    carried_count: Mapped[int] = mapped_column(Integer, default=0)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ready_for_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    submission_key: Mapped[str] = mapped_column(String(64))
    mentee_message_channel: Mapped[str | None] = mapped_column(String(32))
    mentee_message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_overdue(self, today: date) -> bool:
        return self.status is TargetStatus.OPEN and self.due_on < today


class TargetDraft(Base):
    """A target typed with /target, waiting for the mentor's Confirm; its key is the Confirm button's."""

    __tablename__ = "target_drafts"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    key: Mapped[str] = mapped_column(String(64))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_phrase: Mapped[str | None] = mapped_column(String(200))
    due_given: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the bot suggested the date
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"))  # set once confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderSent(Base):
    """A reminder claimed (then sent) for one mentorship and one period: never twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("mentorship_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    period: Mapped[str] = mapped_column(String(64))  # e.g. "meeting:weekly:2026-11-24"
    recipient_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
