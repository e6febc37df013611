"""Weekly meetings, the target reviews done in them, their revisions; and the repository. Never commits."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime, str_enum


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
        Index("ix_meetings_team_author", "team_id", "author_id"),  # a mentor's own work (certification)
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
    # Kept to mentors and leads: not in the notes the mentee gets (still in their data export).
    wellbeing_note_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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


class MeetingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, meeting_id: int) -> Meeting | None:
        """Only ever within the caller's workspace, whatever id was sent."""
        return self.session.scalar(
            select(Meeting)
            .options(selectinload(Meeting.reviews))
            .where(Meeting.team_id == team_id, Meeting.id == meeting_id)
        )

    def by_submission(self, team_id: str, submission_key: str) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .options(selectinload(Meeting.reviews))
            .where(Meeting.team_id == team_id, Meeting.submission_key == submission_key)
        )

    def latest_for_mentee(self, team_id: str, mentee_id: str) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.mentee_id == mentee_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            .limit(1)
        )

    def latest_for_mentorship(self, mentorship_id: int) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .where(Meeting.mentorship_id == mentorship_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            .limit(1)
        )

    def of_mentee(self, team_id: str, mentee_id: str) -> Sequence[Meeting]:
        return self.session.scalars(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.mentee_id == mentee_id)
            .order_by(Meeting.held_on, Meeting.id)
        ).all()

    def claim_sign_off(self, team_id: str, meeting_id: int, user_id: str, comment: str | None, now: datetime) -> bool:
        """Sign the meeting off unless it already is; True for the one caller that did (a conditional UPDATE,
        so a double-click arriving twice at once signs, and tells the author, once)."""
        result = self.session.execute(
            update(Meeting)
            .where(Meeting.team_id == team_id, Meeting.id == meeting_id, Meeting.signed_off_at.is_(None))
            .values(signed_off_at=now, signed_off_by=user_id, mentee_comment=comment, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def add(self, meeting: Meeting) -> Meeting:
        self.session.add(meeting)
        self.session.flush()
        return meeting

    def add_revision(self, revision: MeetingRevision) -> None:
        self.session.add(revision)

    def revisions(self, meeting_id: int) -> Sequence[MeetingRevision]:
        return self.session.scalars(
            select(MeetingRevision)
            .where(MeetingRevision.meeting_id == meeting_id)
            .order_by(MeetingRevision.changed_at, MeetingRevision.id)
        ).all()
